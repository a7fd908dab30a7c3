package io.vizrelay.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/**
 * The request bodies the bench sends, shaped like the patched visdom client's {@code line(...,
 * update='append')}: one scatter/lines trace named {@code train}.
 *
 * <p>Point shape: x is an integer step, y a loss-like value with 4 decimals (e.g. {@code 0.6931}),
 * about 12 bytes per point in JSON. Full-precision Python floats would double the bytes.
 */
final class PlotBodies {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final String TRACE = "train";

  private PlotBodies() {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Trace(long[] x, double[] y, String name, String type, String mode) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Update(
      @JsonProperty("task_id") String taskId,
      String win,
      String eid,
      List<Trace> data,
      Map<String, Object> layout,
      Map<String, Object> opts,
      String name,
      boolean append) {}

  /** {@code /close} and {@code /win_exists} bodies: the task, the window (null: all), the env. */
  record Close(@JsonProperty("task_id") String taskId, String win, String eid) {}

  /** An append of {@code points} points starting at step {@code firstX}. */
  static Buffer append(String taskId, String win, long firstX, int points) {
    long[] x = new long[points];
    double[] y = new double[points];
    for (int i = 0; i < points; i++) {
      x[i] = firstX + i;
      y[i] = lossAt(firstX + i);
    }
    return append(taskId, win, x, y);
  }

  /** An append whose x and y carry the same marker (the relay latency probe). */
  static Buffer marker(String taskId, String win, long marker) {
    return append(taskId, win, new long[] {marker}, new double[] {marker});
  }

  static Buffer append(String taskId, String win, long[] x, double[] y) {
    Trace trace = new Trace(x, y, TRACE, "scatter", "lines");
    return json(new Update(taskId, win, "main", List.of(trace), Map.of(), Map.of(), TRACE, true));
  }

  /** The visdom client's {@code win_exists} question for a window of env {@code main}. */
  static Buffer winExists(String taskId, String win) {
    return json(new Close(taskId, win, "main"));
  }

  /** Closes every window of env {@code main} of the task (frees server memory between runs). */
  static Buffer closeAll(String taskId) {
    return json(new Close(taskId, null, "main"));
  }

  static double lossAt(long step) {
    return Math.round(10_000 * (0.1 + 2.0 / Math.sqrt(1 + step % 100_000))) / 10_000.0;
  }

  private static Buffer json(Object body) {
    try {
      return Buffer.buffer(MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
