package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /win_data}: read one window or an env's whole {@code jsons}, or replace them. */
final class WinDataCommands {
  private final Limits limits;

  WinDataCommands(Limits limits) {
    this.limits = limits;
  }

  Outcome get(TaskState state, String eid, String win) {
    EnvState env = EnvCommands.existing(state, eid);
    if (win == null) {
      ObjectNode jsons = Json.object();
      env.windows().forEach(jsons::set);
      return Outcome.of(Reply.json(Json.string(jsons)));
    }
    ObjectNode window = env.window(Ids.window(win));
    if (window == null) {
      throw new ApiException(
          ErrorCode.WINDOW_NOT_FOUND, "window " + win + " does not exist in env " + eid);
    }
    return Outcome.of(Reply.json(Json.string(window)));
  }

  /**
   * Stores the client's JSON as window {@code win}, or as the env's whole window map when win is
   * null (the env is created if missing). visdom only broadcasts {@code env_update}; vizrelay also
   * sends {@code close} for the replaced windows and the new windows in full, so browsers and the
   * frame log see the change (deliberate superset).
   */
  Outcome set(TaskState state, String eid, String win, String data) {
    Ids.env(eid);
    Ids.window(win);
    Map<String, ObjectNode> windows = parse(data, win);
    EnvState old = state.env(eid);
    int had =
        old == null ? 0 : (win == null ? old.windows().size() : (old.window(win) != null ? 1 : 0));
    Points.checkWindows(limits, state, windows.size() - had);
    windows.forEach((key, w) -> Points.check(limits, Points.ofWindow(w), key));
    EnvState env = state.getOrCreateEnv(eid);
    List<Frame> frames = new ArrayList<>();
    if (win == null) {
      env.windows().keySet().forEach(key -> frames.add(Messages.close(eid, key)));
      env.windows().clear();
    }
    windows.forEach(
        (key, w) -> {
          env.windows().put(key, w);
          frames.add(Messages.window(eid, key, w));
        });
    frames.add(Messages.envUpdate(state));
    return new Outcome(Reply.EMPTY, frames);
  }

  private static Map<String, ObjectNode> parse(String data, String win) {
    if (data == null) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "win_data set needs data, a JSON string");
    }
    JsonNode parsed = Json.parse(data.getBytes(StandardCharsets.UTF_8));
    Map<String, ObjectNode> windows = new LinkedHashMap<>();
    if (win != null) {
      windows.put(win, window(parsed, win));
      return windows;
    }
    if (!parsed.isObject()) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "data must be a JSON object of windows");
    }
    Iterator<Map.Entry<String, JsonNode>> it = parsed.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      windows.put(Ids.window(e.getKey()), window(e.getValue(), e.getKey()));
    }
    return windows;
  }

  private static ObjectNode window(JsonNode node, String key) {
    if (!(node instanceof ObjectNode w)) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "window " + key + " must be a JSON object");
    }
    return w;
  }
}
