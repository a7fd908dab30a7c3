package io.vizrelay.taskinfo;

import io.vertx.core.MultiMap;
import io.vizrelay.common.downsample.PointBudget;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.visdom.TaskState;

/**
 * Decodes {@code GET /api/tasks/{id}/windows/{win}/points?trace=&x0=&x1=&max_points=&env=} into a
 * {@link PointsQuery}; every malformed parameter is a 400 {@code INVALID_FIELD}.
 */
final class PointsRequest {
  private PointsRequest() {}

  static PointsQuery decode(String win, MultiMap params) {
    if (win == null || win.isEmpty() || win.length() > 256) {
      throw new ApiException(ErrorCode.INVALID_WINDOW, "window id is missing or too long");
    }
    String env = params.get("env");
    env = env == null || env.isEmpty() ? TaskState.MAIN : env.replace('/', '_');
    int trace = trace(params.get("trace"));
    double x0 = bound(params.get("x0"), "x0", Double.NEGATIVE_INFINITY);
    double x1 = bound(params.get("x1"), "x1", Double.POSITIVE_INFINITY);
    if (x0 > x1) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "x0 must not be greater than x1");
    }
    int maxPoints = PointBudget.parse(params.get("max_points"), PointBudget.DEFAULT);
    return new PointsQuery(env, win, trace, x0, x1, maxPoints);
  }

  private static int trace(String text) {
    if (text == null) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "trace (the trace index) is required");
    }
    try {
      int t = Integer.parseInt(text);
      if (t >= 0) {
        return t;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ApiException(ErrorCode.INVALID_FIELD, "trace must be a non-negative integer");
  }

  private static double bound(String text, String name, double absent) {
    if (text == null || text.isEmpty()) {
      return absent;
    }
    try {
      double v = Double.parseDouble(text);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ApiException(ErrorCode.INVALID_FIELD, name + " must be a finite number");
  }
}
