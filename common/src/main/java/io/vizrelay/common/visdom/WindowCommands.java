package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /events} (create or replace a window) and {@code /update} (change one in place). */
final class WindowCommands {
  static final String NOT_UPDATABLE =
      "win is not scatter, heatmap, custom, image_history, embeddings, or text; was ";
  static final String DOES_NOT_EXIST = "win does not exist";
  private static final Set<String> UPDATABLE_TRACES =
      Set.of("scatter", "scattergl", "custom", "heatmap");

  private final IdSource ids;
  private final Limits limits;

  WindowCommands(IdSource ids, Limits limits) {
    this.ids = ids;
    this.limits = limits;
  }

  /** Creates the window, or replaces the one with that id (which keeps its index {@code i}). */
  Outcome create(
      TaskState state, String eid, String win, ArrayNode data, ObjectNode layout, ObjectNode opts) {
    Ids.env(eid);
    Ids.window(win);
    WindowFactory.validate(data, layout);
    String id = win != null ? win : ids.windowId();
    EnvState env = state.env(eid);
    boolean newEnv = env == null;
    ObjectNode previous = newEnv ? null : env.window(id);
    if (previous == null) {
      Points.checkWindows(limits, state, 1);
    }
    Points.check(limits, Points.ofTraces(data), id);
    ObjectNode window = WindowFactory.build(id, data, layout, opts, ids.contentId());
    env = state.getOrCreateEnv(eid);
    int i =
        previous == null ? env.windows().size() : previous.path("i").asInt(env.windows().size());
    window.put("i", i);
    env.windows().put(id, window);
    List<Frame> frames = new ArrayList<>(2);
    frames.add(Messages.window(eid, id, window));
    if (newEnv) {
      frames.add(Messages.envUpdate(state));
    }
    return new Outcome(Reply.text(id), frames);
  }

  Outcome update(TaskState state, VisdomCommand.UpdateWindow cmd) {
    String eid = Ids.env(cmd.eid());
    String win = Ids.window(cmd.win());
    EnvState env = state.env(eid);
    if (env == null) {
      throw new ApiException(ErrorCode.ENV_NOT_FOUND, "env " + eid + " does not exist");
    }
    ObjectNode window = win == null ? null : env.window(win);
    if (window == null) {
      return cmd.append()
          ? create(state, eid, win, cmd.data(), cmd.layout(), cmd.opts())
          : Outcome.of(Reply.text(DOES_NOT_EXIST));
    }
    UpdateContext ctx = new UpdateContext(eid, win, window, cmd);
    UpdatePlan plan = null;
    switch (window.path("type").asText("")) {
      case "text" -> ContentUpdater.text(ctx);
      case "image_history" -> ContentUpdater.imageHistory(ctx);
      case "embeddings" -> ContentUpdater.embeddings(ctx);
      default -> {
        String refused = gate(window, win);
        if (refused != null) {
          return Outcome.of(Reply.text(refused));
        }
        plan = PlotValidator.validate(ctx, limits);
        PlotUpdater.apply(ctx, plan);
      }
    }
    TextNode contentId = TextNode.valueOf(ids.contentId());
    ctx.patch.set("/contentID", window.has("contentID"), contentId);
    window.set("contentID", contentId);
    long version = window.path("version").asLong(1);
    ObjectNode compact =
        plan != null && plan.mode() == UpdatePlan.Mode.TRACES && cmd.append() && ctx.pure()
            ? compact(ctx, version, contentId)
            : null;
    Frame frame = Messages.windowUpdate(eid, win, ctx.patch, version, compact);
    return new Outcome(Reply.text(window.path("id").asText(win)), List.of(frame));
  }

  /** visdom's type gate for plots: null when the update may proceed, else the reply text. */
  private static String gate(ObjectNode window, String win) {
    JsonNode content = window.get("content");
    JsonNode traces = content == null ? null : content.get("data");
    if (traces == null || !traces.isArray()) {
      throw new ApiException(
          ErrorCode.INVALID_EVENT,
          "window " + win + " of type " + window.path("type").asText("?") + " cannot be updated");
    }
    if (traces.isEmpty()) {
      return null;
    }
    JsonNode type = traces.get(0).get("type");
    if (type == null) {
      throw PlotValidator.invalid("the first trace of window " + win + " has no type");
    }
    if (type.isTextual() && UPDATABLE_TRACES.contains(type.asText())) {
      return null;
    }
    return NOT_UPDATABLE + (type.isTextual() ? type.asText() : type.toString());
  }

  private static ObjectNode compact(UpdateContext ctx, long version, TextNode contentId) {
    ObjectNode c = Json.object();
    c.put("command", Messages.APPEND).put("win", ctx.key).put("env", ctx.eid);
    PlotUpdater.putNumber(c, "version", version);
    c.set("contentID", contentId);
    c.set("traces", ctx.compactTraces);
    return c;
  }
}
