package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One visdom env: its windows (each window object is also the {@code window} message browsers get)
 * in insertion order, and the {@code reload} map of pane positions.
 */
public final class EnvState {
  private final LinkedHashMap<String, ObjectNode> windows = new LinkedHashMap<>();
  private ObjectNode reload = Json.object();

  public Map<String, ObjectNode> windows() {
    return windows;
  }

  public ObjectNode window(String win) {
    return windows.get(win);
  }

  public ObjectNode reload() {
    return reload;
  }

  public void setReload(ObjectNode reload) {
    this.reload = reload;
  }

  /** Windows sorted by their index {@code i}; ties keep insertion order (visdom's replay order). */
  public List<ObjectNode> windowsInReplayOrder() {
    List<ObjectNode> list = new ArrayList<>(windows.values());
    list.sort(Comparator.comparingLong(w -> w.path("i").asLong()));
    return list;
  }

  public EnvState deepCopy() {
    EnvState copy = new EnvState();
    windows.forEach((id, w) -> copy.windows.put(id, w.deepCopy()));
    copy.reload = reload.deepCopy();
    return copy;
  }

  /** {@code {"jsons": {...}, "reload": {...}}}, visdom's env file shape. */
  public ObjectNode toJson() {
    ObjectNode node = Json.object();
    ObjectNode jsons = node.putObject("jsons");
    windows.forEach(jsons::set);
    node.set("reload", reload);
    return node;
  }

  public static EnvState fromJson(JsonNode node) {
    EnvState env = new EnvState();
    Iterator<Map.Entry<String, JsonNode>> it = node.path("jsons").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      env.windows.put(e.getKey(), (ObjectNode) e.getValue());
    }
    if (node.path("reload").isObject()) {
      env.reload = (ObjectNode) node.get("reload");
    }
    return env;
  }
}
