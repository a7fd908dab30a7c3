package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Test comparison of JSON: objects as unordered maps, arrays in order, numbers by value ({@code 1}
 * equals {@code 1.0}, as the corpus README allows). Returns the first difference.
 */
public final class JsonCompare {
  private JsonCompare() {}

  /** Null when equal, else a description of the first difference. */
  public static String diff(JsonNode a, JsonNode b) {
    return diff("", a, b);
  }

  private static String diff(String at, JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b ? null : at + ": " + a + " vs " + b;
    }
    if (a.isNumber() && b.isNumber()) {
      double x = a.asDouble();
      double y = b.asDouble();
      return x == y || (Double.isNaN(x) && Double.isNaN(y)) ? null : at + ": " + a + " vs " + b;
    }
    if (a.getNodeType() != b.getNodeType()) {
      return at + ": " + shorten(a) + " vs " + shorten(b);
    }
    if (a.isObject()) {
      if (a.size() != b.size()) {
        return at + ": keys " + keys(a) + " vs " + keys(b);
      }
      Iterator<Map.Entry<String, JsonNode>> it = a.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String d = diff(at + "/" + e.getKey(), e.getValue(), b.get(e.getKey()));
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    if (a.isArray()) {
      if (a.size() != b.size()) {
        return at
            + ": length "
            + a.size()
            + " vs "
            + b.size()
            + " ("
            + shorten(a)
            + " vs "
            + shorten(b)
            + ")";
      }
      for (int i = 0; i < a.size(); i++) {
        String d = diff(at + "/" + i, a.get(i), b.get(i));
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    return a.equals(b) ? null : at + ": " + shorten(a) + " vs " + shorten(b);
  }

  private static String keys(JsonNode o) {
    StringBuilder sb = new StringBuilder("[");
    o.fieldNames().forEachRemaining(k -> sb.append(k).append(' '));
    return sb.append(']').toString();
  }

  private static String shorten(JsonNode n) {
    String s = n.toString();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
