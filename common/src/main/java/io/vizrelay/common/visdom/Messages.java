package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;

/**
 * The messages the engine puts into {@link Frame}s. Visdom's own shapes ({@code window}, {@code
 * window_update}, {@code close}, {@code env_update}, {@code reload}) plus vizrelay's {@code append}
 * (compact) and {@code layout_item}, which visdom browsers ignore.
 */
final class Messages {
  static final String WINDOW = "window";
  static final String WINDOW_UPDATE = "window_update";
  static final String CLOSE = "close";
  static final String ENV_UPDATE = "env_update";
  static final String APPEND = "append";
  static final String LAYOUT_ITEM = "layout_item";
  static final String RELOAD = "reload";

  private Messages() {}

  /**
   * A full window message: a copy of the stored window. When the env stores it under a key that
   * differs from its {@code id} (only possible through {@code /win_data} set), {@code win} names
   * the key so the frame log can rebuild the state exactly.
   */
  static Frame window(String eid, String key, ObjectNode window) {
    ObjectNode message = window.deepCopy();
    if (!key.equals(window.path("id").asText(null))) {
      message.put("win", key);
    }
    return new Frame(eid, message);
  }

  /**
   * The {@code window_update} of {@code patch}, built when first read ({@link Frame#lazy}): a pure
   * append also has its {@code compact} form, and usually only that one is ever sent or logged.
   */
  static Frame windowUpdate(
      String eid, String win, PatchBuilder patch, long version, ObjectNode compact) {
    return Frame.lazy(
        eid, WINDOW_UPDATE, () -> windowUpdateMessage(eid, win, patch.ops(), version), compact);
  }

  private static ObjectNode windowUpdateMessage(
      String eid, String win, ArrayNode ops, long version) {
    ObjectNode message = Json.object();
    message.put("command", WINDOW_UPDATE).put("win", win).put("env", eid);
    message.set("content", ops);
    PlotUpdater.putNumber(message, "version", version);
    return message;
  }

  static Frame close(String eid, String win) {
    ObjectNode message = Json.object().put("command", CLOSE).put("data", win);
    return new Frame(eid, message);
  }

  /** Task-wide ({@code env} null): the ids of every env, in creation order. */
  static Frame envUpdate(TaskState state) {
    ObjectNode message = Json.object().put("command", ENV_UPDATE);
    ArrayNode data = message.putArray("data");
    state.envIds().forEach(data::add);
    return new Frame(null, message);
  }

  static Frame layoutItem(String eid, String win, JsonNode item) {
    ObjectNode message = Json.object().put("command", LAYOUT_ITEM).put("env", eid).put("win", win);
    message.set("data", PatchBuilder.frozen(item));
    return new Frame(eid, message);
  }

  static Frame reload(String eid, ObjectNode reload) {
    ObjectNode message = Json.object().put("command", RELOAD).put("env", eid);
    message.set("data", reload.deepCopy());
    return new Frame(eid, message);
  }
}
