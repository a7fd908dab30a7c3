package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;

/**
 * Counts data points for the per-window limit without walking the data: a trace counts {@code
 * max(len x, len y, cells of z)}, where z cells are rows times the first row's length. Cost is
 * O(traces), independent of how many points they hold.
 */
public final class Points {
  private Points() {}

  static long ofTrace(JsonNode trace) {
    long n = Math.max(size(trace.get("x")), size(trace.get("y")));
    JsonNode z = trace.get("z");
    if (z != null && z.isArray()) {
      long rows = z.size();
      long cols = rows > 0 && z.get(0).isArray() ? z.get(0).size() : 1;
      n = Math.max(n, rows * cols);
    }
    return n;
  }

  /**
   * Points of a list of traces: {@code max(len x, len y, cells of z)} each; O(traces), no walk over
   * the data.
   */
  public static long ofTraces(JsonNode traces) {
    long n = 0;
    if (traces != null && traces.isArray()) {
      for (JsonNode t : traces) {
        n += ofTrace(t);
      }
    }
    return n;
  }

  /** Points of a stored window (0 for non-plot windows). */
  static long ofWindow(JsonNode window) {
    return ofTraces(window.path("content").get("data"));
  }

  static void check(Limits limits, long points, String win) {
    if (points > limits.maxPointsPerWindow()) {
      throw new ApiException(
          ErrorCode.LIMIT_EXCEEDED,
          "window "
              + win
              + " would hold "
              + points
              + " points; the limit is "
              + limits.maxPointsPerWindow());
    }
  }

  static void checkWindows(Limits limits, TaskState state, int added) {
    if (added > 0 && state.windowCount() + added > limits.maxWindowsPerTask()) {
      throw new ApiException(
          ErrorCode.LIMIT_EXCEEDED,
          "a task may hold at most " + limits.maxWindowsPerTask() + " windows");
    }
  }

  private static long size(JsonNode node) {
    return node != null && node.isArray() ? node.size() : 0;
  }
}
