/**
 * The one door to task state ({@code TaskStore}) and what both of its tiers share: numbered deltas,
 * snapshots, {@code since} answers, and the frame codec that serializes a frame once ({@code
 * FrameCodec}). The tiers ({@code embedded}, {@code cluster}) never import each other.
 */
package io.vizrelay.common.store;
