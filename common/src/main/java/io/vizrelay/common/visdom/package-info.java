/**
 * visdom 0.2.4 window-state semantics for vizrelay.
 *
 * <p>{@link io.vizrelay.common.visdom.VisdomEngine} applies a typed {@link
 * io.vizrelay.common.visdom.VisdomCommand} to a {@link io.vizrelay.common.visdom.TaskState} and
 * returns an {@link io.vizrelay.common.visdom.Outcome}: visdom's reply text and the {@link
 * io.vizrelay.common.visdom.Frame}s for browsers. Frames use visdom's message shapes ({@code
 * window}, {@code window_update} with RFC 6902 ops, {@code close}, {@code env_update}, {@code
 * reload}) plus vizrelay's {@code append} (compact form of a pure append) and {@code layout_item};
 * {@link io.vizrelay.common.visdom.FrameApplier} replays them onto a state, which is how the store
 * recovers. {@link io.vizrelay.common.visdom.JsonPatch} applies the ops.
 *
 * <p>The engine is proven against the recorded visdom corpus by {@code CorpusConformanceTest}; its
 * deliberate differences from visdom are listed on {@code VisdomEngine} and encoded in the test's
 * {@code CorpusDeviations}.
 */
package io.vizrelay.common.visdom;
