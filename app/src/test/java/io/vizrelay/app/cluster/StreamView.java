package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.visdom.FrameApplier;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * What a page makes of a task's frames over one or more connections: the rebuilt state, the seqs it
 * applied (every live frame must be the next seq; a snapshot restarts the count) and the resume
 * position.
 */
final class StreamView {
  final TaskState state = new TaskState();
  final List<Long> seqs = new ArrayList<>();
  String epoch;
  long last = -1;
  int snapshots;
  int resumes;

  /** Applies one connection's frames in arrival order. */
  void consume(List<JsonNode> frames) {
    for (JsonNode f : frames) {
      String command = f.path("command").asText();
      if ("sync".equals(command)) {
        if ("snapshot".equals(f.path("mode").asText())) {
          snapshots++;
          state.envs().clear();
          state.getOrCreateEnv("main");
          seqs.clear();
          for (long s = 1; s <= f.path("seq").asLong(); s++) {
            seqs.add(s);
          }
        } else {
          resumes++;
          assertEquals(last, f.path("seq").asLong(), "a resume continues where the view ended");
        }
        epoch = f.path("epoch").asText();
        last = f.path("seq").asLong();
        continue;
      }
      if (WsBrowser.isLive(f)) {
        assertEquals(last + 1, f.path("seq").asLong(), "live frames are contiguous: " + f);
        last = f.path("seq").asLong();
        seqs.add(last);
      }
      apply(f);
    }
  }

  String position() {
    return epoch + ":" + last;
  }

  private void apply(JsonNode frame) {
    String command = frame.path("command").asText();
    if ("register".equals(command)
        || "layout_update".equals(command)
        || "layout".equals(command)
        || "task_status".equals(command)) {
      return;
    }
    ObjectNode copy = ((ObjectNode) frame).deepCopy();
    String env = copy.path("env").asText(null);
    copy.remove("seq");
    if ("window".equals(command)) {
      copy.remove("env");
    }
    FrameApplier.apply(state, copy, env);
  }

  List<Double> xs(String win) {
    JsonNode x = state.env("main").window(win).path("content").path("data").path(0).path("x");
    List<Double> out = new ArrayList<>();
    x.forEach(n -> out.add(n.asDouble()));
    return out;
  }
}
