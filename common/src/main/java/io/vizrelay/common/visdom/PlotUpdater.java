package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Applies a validated plot {@code /update} (visdom 0.2.4 order): merge {@code layout} into {@code
 * content.layout}, copy non-null {@code opts} onto the window, rename traces by {@code
 * opts.legend}, bump {@code version}, then the trace change of the {@link UpdatePlan}.
 */
final class PlotUpdater {
  /**
   * Window members an opt may not overwrite. visdom copies every opt blindly; an opt named like one
   * of these would corrupt the window, so vizrelay leaves these alone (deliberate).
   */
  static final Set<String> RESERVED =
      Set.of("command", "id", "i", "version", "contentID", "content", "type");

  private PlotUpdater() {}

  static void apply(UpdateContext ctx, UpdatePlan plan) {
    mergeLayout(ctx);
    copyOpts(ctx);
    renameByLegend(ctx);
    long version = ctx.window.get("version").asLong() + 1;
    putNumber(ctx.window, "version", version);
    ctx.patch.replace("/version", ctx.window.get("version"));
    switch (plan.mode()) {
      case OPTS_ONLY -> ctx.impure();
      case DELETE -> TraceUpdater.delete(ctx, plan.idxs());
      case ADD_TRACE -> TraceUpdater.addTrace(ctx);
      case HEATMAP -> HeatmapUpdater.apply(ctx, plan.idxs().get(0), plan.heatmap());
      case TRACES -> TraceUpdater.update(ctx, plan.idxs(), plan.masked());
      default -> throw new IllegalStateException(plan.mode().toString());
    }
  }

  private static void mergeLayout(UpdateContext ctx) {
    ObjectNode layout = ctx.cmd.layout();
    if (layout == null || layout.isEmpty()) {
      return;
    }
    ObjectNode target = (ObjectNode) ctx.window.get("content").get("layout");
    Iterator<Map.Entry<String, JsonNode>> it = layout.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      set(ctx, target, "/content/layout/", e.getKey(), e.getValue());
    }
  }

  private static void copyOpts(UpdateContext ctx) {
    Iterator<Map.Entry<String, JsonNode>> it = ctx.opts().fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!RESERVED.contains(e.getKey())) {
        set(ctx, ctx.window, "/", e.getKey(), e.getValue());
      }
    }
  }

  /** Sets a non-null value that differs from the stored one, with its op. */
  private static void set(
      UpdateContext ctx, ObjectNode target, String prefix, String key, JsonNode value) {
    if (value.isNull() || value.equals(target.get(key))) {
      return;
    }
    ctx.impure();
    ctx.patch.set(prefix + JsonPatch.escape(key), target.has(key), value);
    target.set(key, value);
  }

  private static void renameByLegend(UpdateContext ctx) {
    JsonNode legend = ctx.opts().get("legend");
    if (legend == null) {
      return;
    }
    ArrayNode traces = ctx.traces();
    for (int i = 0; i < traces.size(); i++) {
      ObjectNode trace = (ObjectNode) traces.get(i);
      JsonNode name = legend.get(i);
      if (!name.equals(trace.get("name"))) {
        ctx.impure();
        ctx.patch.set(TraceUpdater.tracePath(i) + "/name", trace.has("name"), name);
        trace.set("name", name);
      }
    }
  }

  static void putNumber(ObjectNode target, String key, long value) {
    if (value == (int) value) {
      target.put(key, (int) value);
    } else {
      target.put(key, value);
    }
  }
}
