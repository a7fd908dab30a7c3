package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The visdom state of one task: env id to {@link EnvState}, in creation order. A new task holds the
 * empty env {@code main}, as a fresh visdom server does. Not thread-safe: the store applies to one
 * task from one thread at a time.
 */
public final class TaskState {
  public static final String MAIN = "main";

  private final LinkedHashMap<String, EnvState> envs = new LinkedHashMap<>();

  public TaskState() {
    envs.put(MAIN, new EnvState());
  }

  private TaskState(boolean empty) {}

  public EnvState env(String eid) {
    return envs.get(eid);
  }

  public EnvState getOrCreateEnv(String eid) {
    return envs.computeIfAbsent(eid, k -> new EnvState());
  }

  public void putEnv(String eid, EnvState env) {
    envs.put(eid, env);
  }

  public boolean removeEnv(String eid) {
    return envs.remove(eid) != null;
  }

  public List<String> envIds() {
    return new ArrayList<>(envs.keySet());
  }

  public Map<String, EnvState> envs() {
    return envs;
  }

  public int windowCount() {
    int n = 0;
    for (EnvState env : envs.values()) {
      n += env.windows().size();
    }
    return n;
  }

  /** {@code {"<eid>": {"jsons":..., "reload":...}, ...}} in env order. */
  public ObjectNode toJson() {
    ObjectNode node = Json.object();
    envs.forEach((eid, env) -> node.set(eid, env.toJson()));
    return node;
  }

  public static TaskState fromJson(JsonNode node) {
    TaskState state = new TaskState(true);
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      state.envs.put(e.getKey(), EnvState.fromJson(e.getValue()));
    }
    return state;
  }
}
