package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.util.Set;

/**
 * Builds a window the way visdom 0.2.4 does for {@code /events}: the type comes from {@code
 * data[0].type}; {@code text}, {@code image}, {@code properties}, {@code network}, {@code
 * embeddings} and {@code image_history} take {@code data[0].content}; anything else is a {@code
 * plot} whose content is {@code {data, layout}}. Member order follows visdom.
 */
final class WindowFactory {
  private static final Set<String> CONTENT_TYPES =
      Set.of("image_history", "image", "text", "properties", "network", "embeddings");

  private WindowFactory() {}

  /** The 500s of visdom's window construction, as a 400 before anything changes. */
  static void validate(ArrayNode data, ObjectNode layout) {
    if (data == null || data.isEmpty()) {
      throw new ApiException(
          ErrorCode.INVALID_EVENT, "data must be a non-empty list of traces or contents");
    }
    JsonNode first = data.get(0);
    if (!first.isObject() || !first.has("type")) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "data[0] must be an object with a type");
    }
    String type = type(data);
    if (CONTENT_TYPES.contains(type)) {
      if (!first.has("content")) {
        throw new ApiException(
            ErrorCode.INVALID_EVENT, "data[0].content is required for a " + type + " window");
      }
      if (type.equals("embeddings") && !first.get("content").isObject()) {
        throw new ApiException(ErrorCode.INVALID_EVENT, "embeddings content must be an object");
      }
    } else if (layout == null) {
      throw new ApiException(ErrorCode.INVALID_EVENT, "layout is required for a plot window");
    }
  }

  static String type(ArrayNode data) {
    JsonNode type = data.get(0).get("type");
    return type != null && type.isTextual() ? type.asText() : "";
  }

  /**
   * A new window (without {@code i}); its content nodes are the request's, now owned by the state.
   */
  static ObjectNode build(
      String id, ArrayNode data, ObjectNode layout, ObjectNode opts, String contentId) {
    ObjectNode o = opts == null ? Json.object() : opts;
    ObjectNode p = Json.object();
    p.put("command", Messages.WINDOW);
    p.put("version", 1);
    p.put("id", id);
    p.set("title", opt(o, "title", TextNode.valueOf("")));
    p.set("inflate", opt(o, "inflate", BooleanNode.TRUE));
    p.set("width", opt(o, "width", Json.NODES.nullNode()));
    p.set("height", opt(o, "height", Json.NODES.nullNode()));
    p.put("contentID", contentId);
    String type = type(data);
    JsonNode content = data.get(0).get("content");
    switch (type) {
      case "image_history" -> {
        p.putArray("content").add(content);
        p.put("selected", 0);
        p.put("type", type);
        p.set("show_slider", opt(o, "show_slider", BooleanNode.TRUE));
      }
      case "image", "text", "properties" -> {
        p.set("content", content);
        p.put("type", type);
      }
      case "network" -> {
        p.set("content", content);
        p.put("type", type);
        p.set("directed", opt(o, "directed", BooleanNode.FALSE));
        p.set("showEdgeLabels", opt(o, "showEdgeLabels", TextNode.valueOf("hover")));
        p.set("showVertexLabels", opt(o, "showVertexLabels", TextNode.valueOf("hover")));
      }
      case "embeddings" -> {
        p.set("content", content);
        p.put("type", type);
        p.putArray("old_content");
        ((ObjectNode) content).put("has_previous", false);
      }
      default -> {
        ObjectNode c = p.putObject("content");
        c.set("data", data);
        c.set("layout", layout);
        p.put("type", "plot");
      }
    }
    return p;
  }

  /** Python's {@code opts.get(key, default)}: a present null stays null. */
  private static JsonNode opt(ObjectNode opts, String key, JsonNode fallback) {
    return opts.has(key) ? opts.get(key) : fallback;
  }
}
