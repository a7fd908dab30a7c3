package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies one engine frame to a {@link TaskState}: how the state is rebuilt from the durable frame
 * log after a restart (and how tests check that the frames are complete). Values are copied in, so
 * the message is never changed or shared. Unknown commands ({@code layout}, ...) are ignored.
 */
public final class FrameApplier {
  private FrameApplier() {}

  /**
   * @param env the frame's env ({@link Frame#env()}); when null, the message's own {@code env}
   * @throws IllegalArgumentException when the frame does not fit the state (a broken log)
   */
  public static void apply(TaskState state, ObjectNode message, String env) {
    String eid = env != null ? env : message.path("env").asText(null);
    switch (message.path("command").asText("")) {
      case Messages.WINDOW -> putWindow(state, message, eid);
      case Messages.WINDOW_UPDATE ->
          JsonPatch.apply(window(state, eid, message), (ArrayNode) message.get("content"));
      case Messages.APPEND -> append(window(state, eid, message), message);
      case Messages.CLOSE -> {
        EnvState e = state.env(eid);
        if (e != null) {
          e.windows().remove(message.path("data").asText());
        }
      }
      case Messages.ENV_UPDATE -> envUpdate(state, message.get("data"));
      case Messages.LAYOUT_ITEM ->
          state
              .getOrCreateEnv(eid)
              .reload()
              .set(message.path("win").asText(), copy(message.get("data")));
      case Messages.RELOAD -> {
        JsonNode data = message.get("data");
        state
            .getOrCreateEnv(eid)
            .setReload(data instanceof ObjectNode o ? o.deepCopy() : Json.object());
      }
      default -> {}
    }
  }

  private static void putWindow(TaskState state, ObjectNode message, String eid) {
    ObjectNode window = message.deepCopy();
    JsonNode win = window.remove("win");
    String key = win != null && win.isTextual() ? win.asText() : window.path("id").asText();
    state.getOrCreateEnv(eid).windows().put(key, window);
  }

  private static ObjectNode window(TaskState state, String eid, ObjectNode message) {
    EnvState env = state.env(eid);
    String win = message.path("win").asText();
    ObjectNode window = env == null ? null : env.window(win);
    if (window == null) {
      throw new IllegalArgumentException("frame for missing window " + win + " in env " + eid);
    }
    return window;
  }

  /**
   * The compact form of a pure append: x/y (and marker.color) values per trace, version, contentID.
   */
  private static void append(ObjectNode window, ObjectNode message) {
    ArrayNode traces = (ArrayNode) window.get("content").get("data");
    for (JsonNode t : message.path("traces")) {
      ObjectNode trace = (ObjectNode) traces.get(t.path("index").asInt());
      appendAll((ArrayNode) trace.get("x"), t.get("x"));
      appendAll((ArrayNode) trace.get("y"), t.get("y"));
      if (t.has("marker_color")) {
        ObjectNode marker =
            trace.get("marker") instanceof ObjectNode m ? m : trace.putObject("marker");
        ArrayNode color = marker.get("color") instanceof ArrayNode c ? c : marker.putArray("color");
        appendAll(color, t.get("marker_color"));
      }
    }
    PlotUpdater.putNumber(window, "version", message.path("version").asLong());
    window.set("contentID", message.get("contentID"));
  }

  private static void appendAll(ArrayNode target, JsonNode values) {
    if (values != null) {
      values.forEach(v -> target.add(copy(v)));
    }
  }

  /** {@code env_update} lists every env: drop the unlisted ones, add the new ones at the end. */
  private static void envUpdate(TaskState state, JsonNode ids) {
    if (ids == null || !ids.isArray()) {
      return;
    }
    Set<String> listed = new HashSet<>();
    ids.forEach(id -> listed.add(id.asText()));
    List<String> existing = state.envIds();
    for (String eid : existing) {
      if (!listed.contains(eid)) {
        state.removeEnv(eid);
      }
    }
    ids.forEach(id -> state.getOrCreateEnv(id.asText()));
  }

  private static JsonNode copy(JsonNode node) {
    return node == null ? Json.NODES.nullNode() : (node.isContainerNode() ? node.deepCopy() : node);
  }
}
