package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a browser subscribed to one env knows, built only from the messages it received: window key
 * to window (full {@code window} messages put, {@code window_update} patches applied with {@link
 * JsonPatch}, {@code close} removes) and the env list of the last {@code env_update}.
 */
public final class ObserverView {
  public final Map<String, ObjectNode> windows = new LinkedHashMap<>();
  public List<String> envs;

  public ObserverView(List<String> envs) {
    this.envs = envs;
  }

  public void apply(JsonNode message) {
    switch (message.path("command").asText()) {
      case "window" -> {
        ObjectNode w = message.deepCopy();
        JsonNode key = w.remove("win");
        windows.put(key != null ? key.asText() : w.path("id").asText(), w);
      }
      case "window_update" -> {
        ObjectNode w = windows.get(message.path("win").asText());
        if (w == null) {
          throw new AssertionError("window_update for a window the observer never got: " + message);
        }
        JsonPatch.apply(w, (ArrayNode) message.get("content"));
      }
      case "close" -> windows.remove(message.path("data").asText());
      case "env_update" -> envs = texts(message.get("data"));
      default -> {}
    }
  }

  /** The normalised windows as one object. */
  public ObjectNode snapshot() {
    ObjectNode out = Json.object();
    windows.forEach(
        (k, w) -> out.set(CorpusNormalizer.normalizeText(k), CorpusNormalizer.normalize(w)));
    return out;
  }

  public static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.asText()));
    return out;
  }
}
