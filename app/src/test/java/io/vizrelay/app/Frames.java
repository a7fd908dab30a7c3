package io.vizrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.visdom.FrameApplier;
import io.vizrelay.common.visdom.TaskState;
import java.util.List;

/** Test helpers over received frames: seq checks and rebuilding a browser's view of a task. */
final class Frames {
  private Frames() {}

  static boolean isLive(JsonNode f) {
    String c = f.path("command").asText();
    return f.has("seq") && !"sync".equals(c);
  }

  /** Applies a browser's frames (snapshot and live) to a state, as a page would. */
  static void apply(TaskState state, JsonNode frame) {
    String command = frame.path("command").asText();
    if ("sync".equals(command)
        || "register".equals(command)
        || "layout_update".equals(command)
        || "layout".equals(command)) {
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

  static String body(String taskId, String win, double x, double y) {
    return "{\"task_id\":\""
        + taskId
        + "\",\"win\":\""
        + win
        + "\",\"eid\":\"main\",\"data\":[{\"x\":["
        + x
        + "],\"y\":["
        + y
        + "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},"
        + "\"opts\":{},\"name\":\"train\",\"append\":true}";
  }

  static List<Double> xs(TaskState state, String win) {
    JsonNode x = state.env("main").window(win).path("content").path("data").path(0).path("x");
    java.util.ArrayList<Double> out = new java.util.ArrayList<>();
    x.forEach(n -> out.add(n.asDouble()));
    return out;
  }
}
