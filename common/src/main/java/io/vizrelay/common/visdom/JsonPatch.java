package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 6902 applier for the patches vizrelay and visdom broadcast: {@code add}, {@code
 * remove}, {@code replace} (plus {@code move}), with numeric array indices and {@code -}. Applied
 * in place; the cost is proportional to the ops (and path depths), never to the target. Container
 * values are copied on the way in, so the op list stays untouched and unshared.
 */
public final class JsonPatch {
  private JsonPatch() {}

  /**
   * Applies every op of {@code ops} to {@code target}; throws IllegalArgumentException on a bad op.
   */
  public static void apply(ObjectNode target, ArrayNode ops) {
    for (JsonNode op : ops) {
      applyOp(target, op);
    }
  }

  /** Escapes one reference token ({@code ~} to {@code ~0}, {@code /} to {@code ~1}). */
  public static String escape(String token) {
    if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
      return token;
    }
    return token.replace("~", "~0").replace("/", "~1");
  }

  /** Splits a JSON pointer into unescaped reference tokens ({@code ""} is the root, no tokens). */
  public static List<String> tokens(String pointer) {
    List<String> tokens = new ArrayList<>();
    if (pointer.isEmpty()) {
      return tokens;
    }
    if (pointer.charAt(0) != '/') {
      throw new IllegalArgumentException("JSON pointer must start with '/': " + pointer);
    }
    int start = 1;
    while (true) {
      int slash = pointer.indexOf('/', start);
      String raw = slash < 0 ? pointer.substring(start) : pointer.substring(start, slash);
      tokens.add(raw.indexOf('~') < 0 ? raw : raw.replace("~1", "/").replace("~0", "~"));
      if (slash < 0) {
        return tokens;
      }
      start = slash + 1;
    }
  }

  private static void applyOp(ObjectNode root, JsonNode op) {
    String kind = op.path("op").asText();
    String path = text(op, "path");
    switch (kind) {
      case "add" -> add(root, tokens(path), value(op));
      case "remove" -> remove(root, tokens(path));
      case "replace" -> replace(root, tokens(path), value(op));
      case "move" -> {
        List<String> from = tokens(text(op, "from"));
        JsonNode moved = get(root, from);
        remove(root, from);
        add(root, tokens(path), moved);
      }
      default -> throw new IllegalArgumentException("unsupported patch op: " + op);
    }
  }

  private static String text(JsonNode op, String field) {
    JsonNode node = op.get(field);
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException("patch op without '" + field + "': " + op);
    }
    return node.asText();
  }

  private static JsonNode value(JsonNode op) {
    JsonNode value = op.get("value");
    if (value == null) {
      throw new IllegalArgumentException("patch op without value: " + op);
    }
    return value.isContainerNode() ? value.deepCopy() : value;
  }

  private static JsonNode get(ObjectNode root, List<String> tokens) {
    JsonNode node = root;
    for (String token : tokens) {
      node = child(node, token);
    }
    return node;
  }

  private static JsonNode parent(ObjectNode root, List<String> tokens) {
    JsonNode node = root;
    for (int i = 0; i < tokens.size() - 1; i++) {
      node = child(node, tokens.get(i));
    }
    return node;
  }

  private static JsonNode child(JsonNode node, String token) {
    JsonNode child = null;
    if (node instanceof ObjectNode object) {
      child = object.get(token);
    } else if (node instanceof ArrayNode array) {
      int index = index(token, array.size() - 1);
      child = array.get(index);
    }
    if (child == null) {
      throw new IllegalArgumentException("no such member: " + token);
    }
    return child;
  }

  private static int index(String token, int max) {
    int index;
    try {
      index = Integer.parseInt(token);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an array index: " + token);
    }
    if (index < 0 || index > max || (token.length() > 1 && token.charAt(0) == '0')) {
      throw new IllegalArgumentException("array index out of range: " + token);
    }
    return index;
  }

  private static void add(ObjectNode root, List<String> tokens, JsonNode value) {
    if (tokens.isEmpty()) {
      replaceRoot(root, value);
      return;
    }
    JsonNode parent = parent(root, tokens);
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else if (parent instanceof ArrayNode array) {
      if (last.equals("-")) {
        array.add(value);
      } else {
        array.insert(index(last, array.size()), value);
      }
    } else {
      throw new IllegalArgumentException("cannot add into a scalar at " + last);
    }
  }

  private static void remove(ObjectNode root, List<String> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("cannot remove the root");
    }
    JsonNode parent = parent(root, tokens);
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof ObjectNode object) {
      if (object.remove(last) == null) {
        throw new IllegalArgumentException("no such member to remove: " + last);
      }
    } else if (parent instanceof ArrayNode array) {
      array.remove(index(last, array.size() - 1));
    } else {
      throw new IllegalArgumentException("cannot remove from a scalar at " + last);
    }
  }

  private static void replace(ObjectNode root, List<String> tokens, JsonNode value) {
    if (tokens.isEmpty()) {
      replaceRoot(root, value);
      return;
    }
    JsonNode parent = parent(root, tokens);
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof ObjectNode object) {
      if (!object.has(last)) {
        throw new IllegalArgumentException("no such member to replace: " + last);
      }
      object.set(last, value);
    } else if (parent instanceof ArrayNode array) {
      array.set(index(last, array.size() - 1), value);
    } else {
      throw new IllegalArgumentException("cannot replace inside a scalar at " + last);
    }
  }

  private static void replaceRoot(ObjectNode root, JsonNode value) {
    if (!(value instanceof ObjectNode object)) {
      throw new IllegalArgumentException("the root must stay an object");
    }
    root.removeAll();
    root.setAll(object);
  }
}
