package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Env-level commands: close, create, delete, list, save, fork, and the browser's {@code
 * layout_item_update} and save-as. Frames that copy envs (fork, save-as) carry every copied window
 * in full so the frame log alone rebuilds the state (a documented superset of visdom, which only
 * sends {@code env_update}).
 */
final class EnvCommands {
  private final Limits limits;

  EnvCommands(Limits limits) {
    this.limits = limits;
  }

  /** visdom broadcasts {@code close} for each id asked, whether it existed or not. */
  Outcome close(TaskState state, String eid, String win) {
    EnvState env = existing(state, eid);
    Ids.window(win);
    List<String> keys = win == null ? new ArrayList<>(env.windows().keySet()) : List.of(win);
    List<Frame> frames = new ArrayList<>(keys.size());
    for (String key : keys) {
      env.windows().remove(key);
      frames.add(Messages.close(eid, key));
    }
    return new Outcome(Reply.EMPTY, frames);
  }

  Outcome createEnv(TaskState state, String eid) {
    Ids.env(eid);
    if (state.env(eid) != null) {
      return Outcome.of(Reply.EMPTY);
    }
    state.getOrCreateEnv(eid);
    return new Outcome(Reply.EMPTY, List.of(Messages.envUpdate(state)));
  }

  /**
   * Deletes the env. visdom 0.2.4 answers 500 (after deleting) for an env that was never saved,
   * because it fails to remove the missing file; in vizrelay every env is durable, so this always
   * succeeds, broadcasts {@code env_update} and replies "" (deliberate).
   */
  Outcome deleteEnv(TaskState state, String eid) {
    existing(state, eid);
    state.removeEnv(eid);
    return new Outcome(Reply.EMPTY, List.of(Messages.envUpdate(state)));
  }

  Outcome listEnvs(TaskState state) {
    ArrayNode ids = Json.NODES.arrayNode();
    state.envIds().forEach(ids::add);
    return Outcome.of(Reply.json(Json.string(ids)));
  }

  /** Everything is durable already; the reply lists the requested envs that exist. */
  Outcome save(TaskState state, List<String> eids) {
    if (eids == null) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "save needs data: a list of env ids");
    }
    ArrayNode saved = Json.NODES.arrayNode();
    for (String eid : eids) {
      if (state.env(Ids.env(eid)) != null) {
        saved.add(eid);
      }
    }
    return Outcome.of(Reply.json(Json.string(saved)));
  }

  Outcome fork(TaskState state, String prevEid, String eid) {
    EnvState source = existing(state, prevEid);
    Ids.env(eid);
    List<Frame> frames = replaceEnv(state, eid, source.deepCopy(), false);
    return new Outcome(Reply.text(eid), frames);
  }

  /** Browser {@code save}: copy {@code prevEid} to {@code eid} with the browser's pane layout. */
  Outcome saveAs(TaskState state, String prevEid, String eid, JsonNode reload) {
    EnvState source = existing(state, prevEid);
    Ids.env(eid);
    if (reload != null && !reload.isNull() && !reload.isObject()) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "the saved layout must be an object");
    }
    ObjectNode layout = reload instanceof ObjectNode o ? o : Json.object();
    if (eid.equals(prevEid)) {
      source.setReload(layout);
      return new Outcome(Reply.EMPTY, List.of(Messages.reload(eid, layout)));
    }
    EnvState copy = source.deepCopy();
    copy.setReload(layout);
    return new Outcome(Reply.EMPTY, replaceEnv(state, eid, copy, true));
  }

  Outcome layoutItem(TaskState state, String eid, String win, JsonNode item) {
    EnvState env = existing(state, eid);
    if (win == null) {
      throw new ApiException(ErrorCode.INVALID_WINDOW, "layout_item_update needs win");
    }
    Ids.window(win);
    JsonNode value = item == null ? Json.NODES.nullNode() : item;
    env.reload().set(win, value);
    return new Outcome(Reply.EMPTY, List.of(Messages.layoutItem(eid, win, value)));
  }

  /**
   * Puts {@code copy} in place of env {@code eid}; frames: {@code close} for the windows the env
   * had, {@code env_update}, one full {@code window} per copied window, and {@code reload} when the
   * pane layout is not the empty one of a new env.
   */
  private List<Frame> replaceEnv(TaskState state, String eid, EnvState copy, boolean alwaysReload) {
    EnvState old = state.env(eid);
    int had = old == null ? 0 : old.windows().size();
    Points.checkWindows(limits, state, copy.windows().size() - had);
    List<Frame> frames = new ArrayList<>(copy.windows().size() + had + 2);
    if (old != null) {
      old.windows().keySet().forEach(key -> frames.add(Messages.close(eid, key)));
    }
    state.putEnv(eid, copy);
    frames.add(Messages.envUpdate(state));
    for (Map.Entry<String, ObjectNode> e : copy.windows().entrySet()) {
      frames.add(Messages.window(eid, e.getKey(), e.getValue()));
    }
    if (alwaysReload || old != null || !copy.reload().isEmpty()) {
      frames.add(Messages.reload(eid, copy.reload()));
    }
    return frames;
  }

  static EnvState existing(TaskState state, String eid) {
    EnvState env = state.env(Ids.env(eid));
    if (env == null) {
      throw new ApiException(ErrorCode.ENV_NOT_FOUND, "env " + eid + " does not exist");
    }
    return env;
  }
}
