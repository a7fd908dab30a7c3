package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.downsample.TraceView;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.visdom.EnvState;
import io.vizrelay.common.visdom.TaskState;

/**
 * A range query of one trace ({@code GET /api/tasks/{id}/windows/{win}/points}): the points of
 * trace {@code trace} of window {@code win} in env {@code env} whose x lies in {@code [x0, x1]}, at
 * most {@code maxPoints} of them (else bucketed). Validated where it is parsed.
 */
public record PointsQuery(String env, String win, int trace, double x0, double x1, int maxPoints) {

  /**
   * Answers the query on a task's state (on the thread that owns it).
   *
   * @throws ApiException {@code ENV_NOT_FOUND} / {@code WINDOW_NOT_FOUND} (404), or {@code
   *     INVALID_FIELD} (400) when the window has no such line/scatter trace
   */
  public TracePoints answer(TaskState state) {
    EnvState e = state.env(env);
    if (e == null) {
      throw new ApiException(ErrorCode.ENV_NOT_FOUND, "env " + env + " does not exist");
    }
    ObjectNode window = e.window(win);
    if (window == null) {
      throw new ApiException(ErrorCode.WINDOW_NOT_FOUND, "window " + win + " does not exist");
    }
    JsonNode traces = window.path("content").path("data");
    if (!traces.isArray() || trace >= traces.size()) {
      throw new ApiException(
          ErrorCode.INVALID_FIELD,
          "trace must be below " + (traces.isArray() ? traces.size() : 0) + " for window " + win);
    }
    JsonNode t = traces.get(trace);
    if (!TraceView.bucketable(t)) {
      throw new ApiException(
          ErrorCode.INVALID_FIELD, "trace " + trace + " of window " + win + " is not a line trace");
    }
    TraceView.Range range = TraceView.range((ObjectNode) t, x0, x1, maxPoints);
    return new TracePoints(range.downsampled(), range.points(), range.toJson());
  }
}
