package io.vizrelay.common.visdom;

/**
 * Per-task limits the engine enforces before changing anything (a command that would exceed one is
 * rejected with {@code LIMIT_EXCEEDED} and leaves the state as it was).
 *
 * @param maxWindowsPerTask windows summed over every env of a task
 * @param maxPointsPerWindow data points of one plot window (see {@link Points})
 */
public record Limits(int maxWindowsPerTask, long maxPointsPerWindow) {
  public static final int DEFAULT_MAX_WINDOWS_PER_TASK = 1000;
  public static final long DEFAULT_MAX_POINTS_PER_WINDOW = 10_000_000L;

  /** Longest env or window id accepted (characters). */
  public static final int MAX_ID_LENGTH = 256;

  public static final Limits DEFAULTS =
      new Limits(DEFAULT_MAX_WINDOWS_PER_TASK, DEFAULT_MAX_POINTS_PER_WINDOW);

  public Limits {
    if (maxWindowsPerTask < 1 || maxPointsPerWindow < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }
}
