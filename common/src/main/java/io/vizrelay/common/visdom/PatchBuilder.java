package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the RFC 6902 ops of one update while the engine mutates the window, so the broadcast
 * costs O(change), never a copy or a diff of the window. Container values are copied into the op
 * (the state keeps the original), so later changes to the window never reach a sent frame.
 *
 * <p>Appended elements are recorded as one run per array ({@link #appendAll}) and expanded into
 * their per-element {@code add} ops only when {@link #ops()} is read: a pure append is relayed and
 * logged in its compact form, so its visdom ops are usually never needed.
 */
final class PatchBuilder {
  private final List<Part> parts = new ArrayList<>();

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
    return built(op("add", path, value));
  }

  PatchBuilder replace(String path, JsonNode value) {
    return built(op("replace", path, value));
  }

  /** {@code add} when the member is new, {@code replace} when it existed. */
  PatchBuilder set(String path, boolean existed, JsonNode value) {
    return built(op(existed ? "replace" : "add", path, value));
  }

  PatchBuilder remove(String path) {
    return built(Json.object().put("op", "remove").put("path", path));
  }

  PatchBuilder move(String from, String path) {
    return built(Json.object().put("op", "move").put("from", from).put("path", path));
  }

  /**
   * One {@code add} per element of {@code values}, at {@code arrayPath/first}, {@code first + 1},
   * ..., built when the ops are read. {@code values} must not change afterwards: it is request data
   * that the state only copies (the compact frame holds the same nodes).
   */
  PatchBuilder appendAll(String arrayPath, int first, JsonNode values) {
    parts.add(new AppendRun(arrayPath, first, values));
    return this;
  }

  /** The ops in the order they were recorded, as a new array (append runs expanded). */
  ArrayNode ops() {
    ArrayNode ops = Json.NODES.arrayNode();
    parts.forEach(part -> part.addTo(ops));
    return ops;
  }

  private PatchBuilder built(ObjectNode op) {
    parts.add(new Built(op));
    return this;
  }

  private static ObjectNode op(String kind, String path, JsonNode value) {
    ObjectNode op = Json.object().put("op", kind).put("path", path);
    op.set("value", frozen(value));
    return op;
  }

  /** A value safe to hand to a frame: scalars are immutable, containers are copied. */
  static JsonNode frozen(JsonNode value) {
    if (value == null) {
      return Json.NODES.nullNode();
    }
    return value.isContainerNode() ? value.deepCopy() : value;
  }

  /** A recorded part of the patch: one op, or a run of appended elements. */
  private interface Part {
    void addTo(ArrayNode ops);
  }

  /**
   * An op built (and its value frozen) when recorded, since the state may change the value later.
   */
  private record Built(ObjectNode op) implements Part {
    @Override
    public void addTo(ArrayNode ops) {
      ops.add(op);
    }
  }

  private record AppendRun(String arrayPath, int first, JsonNode values) implements Part {
    @Override
    public void addTo(ArrayNode ops) {
      int index = first;
      for (JsonNode v : values) {
        ops.add(op("add", path(arrayPath, index++), v));
      }
    }
  }
}
