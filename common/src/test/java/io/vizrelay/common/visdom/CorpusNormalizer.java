package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The corpus README's normalisation, applied to vizrelay's output: window ids {@code window_%014x}
 * (our stand-ins for visdom's clock/uuid ids) become {@code win#N}, and every contentID becomes
 * {@code <contentID>}. Requests go the other way ({@code win#N} to a concrete id).
 */
public final class CorpusNormalizer {
  public static final String CONTENT_ID = "<contentID>";
  private static final Pattern OUR_ID = Pattern.compile("window_([0-9a-f]{14})");
  private static final Pattern PLACEHOLDER = Pattern.compile("win#(\\d+)");

  private CorpusNormalizer() {}

  public static String concrete(int n) {
    return String.format("window_%014x", n);
  }

  /** Replaces every {@code win#N} in a request text by {@link #concrete(int)}. */
  public static String denormalize(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, concrete(Integer.parseInt(m.group(1))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The highest {@code win#N} in a text (0 when none). */
  public static int maxPlaceholder(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    int max = 0;
    while (m.find()) {
      max = Math.max(max, Integer.parseInt(m.group(1)));
    }
    return max;
  }

  public static String normalizeText(String text) {
    Matcher m = OUR_ID.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, "win#" + Long.parseLong(m.group(1), 16));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** A normalised deep copy. */
  public static JsonNode normalize(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return TextNode.valueOf(normalizeText(node.asText()));
    }
    if (node.isArray()) {
      ArrayNode out = Json.NODES.arrayNode();
      node.forEach(e -> out.add(normalize(e)));
      return out;
    }
    if (node.isObject()) {
      ObjectNode out = Json.object();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        boolean contentId =
            e.getKey().equals("contentID")
                || (e.getKey().equals("value")
                    && "/contentID".equals(node.path("path").asText(null)));
        out.set(
            normalizeText(e.getKey()),
            contentId ? TextNode.valueOf(CONTENT_ID) : normalize(e.getValue()));
      }
      return out;
    }
    return node;
  }

  public static List<JsonNode> normalizeAll(List<? extends JsonNode> nodes) {
    List<JsonNode> out = new ArrayList<>(nodes.size());
    nodes.forEach(n -> out.add(normalize(n)));
    return out;
  }
}
