package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;

/**
 * Collects the RFC 6902 ops of one update while the engine mutates the window, so the broadcast
 * costs O(change), never a copy or a diff of the window. Container values are copied into the op
 * (the state keeps the original), so later changes to the window never reach a sent frame.
 */
final class PatchBuilder {
  private final ArrayNode ops = Json.NODES.arrayNode();

  /** Builds {@code /a/b/c} from raw tokens, escaping each. */
  static String path(String... tokens) {
    StringBuilder sb = new StringBuilder();
    for (String token : tokens) {
      sb.append('/').append(JsonPatch.escape(token));
    }
    return sb.toString();
  }

  static String path(String prefix, int index) {
    return prefix + '/' + index;
  }

  PatchBuilder add(String path, JsonNode value) {
    return op("add", path, value);
  }

  PatchBuilder replace(String path, JsonNode value) {
    return op("replace", path, value);
  }

  /** {@code add} when the member is new, {@code replace} when it existed. */
  PatchBuilder set(String path, boolean existed, JsonNode value) {
    return op(existed ? "replace" : "add", path, value);
  }

  PatchBuilder remove(String path) {
    ops.addObject().put("op", "remove").put("path", path);
    return this;
  }

  PatchBuilder move(String from, String path) {
    ops.addObject().put("op", "move").put("from", from).put("path", path);
    return this;
  }

  ArrayNode ops() {
    return ops;
  }

  private PatchBuilder op(String kind, String path, JsonNode value) {
    ObjectNode op = ops.addObject();
    op.put("op", kind).put("path", path);
    op.set("value", frozen(value));
    return this;
  }

  /** A value safe to hand to a frame: scalars are immutable, containers are copied. */
  static JsonNode frozen(JsonNode value) {
    if (value == null) {
      return Json.NODES.nullNode();
    }
    return value.isContainerNode() ? value.deepCopy() : value;
  }
}
