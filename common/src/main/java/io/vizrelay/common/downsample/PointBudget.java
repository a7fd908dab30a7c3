package io.vizrelay.common.downsample;

import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;

/**
 * The {@code max_points} parameter of the compact socket and of range queries: one rule for both
 * (docs/PROTOCOL.md "Downsampled traces").
 */
public final class PointBudget {
  /** The page's budget per trace, and the range query's when none is given. */
  public static final int DEFAULT = 4000;

  /** Smallest accepted budget (two buckets' worth of points). */
  public static final int MIN = 10;

  /** Largest accepted budget. */
  public static final int MAX = 1_000_000;

  private PointBudget() {}

  /**
   * The budget {@code text} names, {@code absent} when it is null or empty.
   *
   * @throws ApiException {@code INVALID_FIELD} unless an integer in {@code [MIN, MAX]}
   */
  public static int parse(String text, int absent) {
    if (text == null || text.isEmpty()) {
      return absent;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= MIN && n <= MAX) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ApiException(
        ErrorCode.INVALID_FIELD, "max_points must be an integer from " + MIN + " to " + MAX);
  }
}
