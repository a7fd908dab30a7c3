package io.vizrelay.common.store;

/**
 * The answer to a {@link PointsQuery}: whether it was bucketed, how many points the range held, and
 * the serialized body {@code {"x","y","downsampled","points"}}.
 */
public record TracePoints(boolean downsampled, int points, byte[] body) {}
