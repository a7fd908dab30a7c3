package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.CompactArrayNode;
import io.vizrelay.common.json.Json;
import java.util.List;

/**
 * The trace part of a plot {@code /update}: delete traces, add a trace, or append/replace {@code
 * x}, {@code y} and {@code marker.color} of the targeted traces. Every mutation records its patch
 * op at once; an append records its run of new elements, whose per-element {@code add} ops are
 * built only if the visdom frame is read ({@link PatchBuilder#appendAll}), so the work and the
 * patch are O(new points) whatever the window holds.
 */
final class TraceUpdater {
  private static final String[] AXES = {"x", "y"};

  private TraceUpdater() {}

  static void delete(UpdateContext ctx, List<Integer> idxs) {
    ctx.impure();
    ArrayNode traces = ctx.traces();
    for (int k = idxs.size() - 1; k >= 0; k--) {
      int idx = idxs.get(k);
      traces.remove(idx);
      ctx.patch.remove(tracePath(idx));
    }
  }

  /**
   * visdom adds {@code data[0]} as a new trace, renamed to the update's name (not for heatmaps).
   */
  static void addTrace(UpdateContext ctx) {
    ctx.impure();
    ObjectNode trace = (ObjectNode) ctx.data(0);
    String name = ctx.cmd.name();
    if (name != null && !"heatmap".equals(trace.path("type").asText(null))) {
      trace.put("name", name);
    }
    ArrayNode traces = ctx.traces();
    ctx.patch.add(tracePath(traces.size()), trace);
    traces.add(trace);
  }

  static void update(UpdateContext ctx, List<Integer> idxs, boolean[] masked) {
    boolean append = ctx.cmd.append();
    if (!append) {
      ctx.impure();
    }
    for (int n = 0; n < idxs.size(); n++) {
      if (masked[n]) {
        continue;
      }
      int idx = idxs.get(n);
      ObjectNode trace = (ObjectNode) ctx.traces().get(idx);
      JsonNode d = ctx.data(n);
      ObjectNode compact = Json.object().put("index", idx);
      String prefix = tracePath(idx);
      for (String axis : AXES) {
        JsonNode values = d.get(axis);
        if (append) {
          appendAll(ctx, (ArrayNode) trace.get(axis), values, prefix + "/" + axis);
          compact.set(axis, values);
        } else {
          ctx.patch.set(prefix + "/" + axis, trace.has(axis), values);
          trace.set(axis, values);
        }
      }
      updateMarker(ctx, trace, d, prefix, compact);
      if (append) {
        ctx.compactTraces.add(compact);
      }
    }
  }

  private static void updateMarker(
      UpdateContext ctx, ObjectNode trace, JsonNode d, String prefix, ObjectNode compact) {
    if (!d.has("marker")) {
      return;
    }
    JsonNode newMarker = d.get("marker");
    ObjectNode marker = (ObjectNode) trace.get("marker");
    if (marker == null) {
      marker = trace.putObject("marker");
      ctx.patch.add(prefix + "/marker", Json.object());
      if (!newMarker.has("color")) {
        ctx.impure();
      }
    }
    if (!newMarker.has("color")) {
      return;
    }
    JsonNode color = newMarker.get("color");
    String path = prefix + "/marker/color";
    if (ctx.cmd.append()) {
      if (!marker.has("color")) {
        marker.putArray("color");
        ctx.patch.add(path, Json.NODES.arrayNode());
      }
      appendAll(ctx, (ArrayNode) marker.get("color"), color, path);
      compact.set("marker_color", color);
    } else {
      ctx.patch.set(path, marker.has("color"), color);
      marker.set("color", color);
    }
  }

  /**
   * Appends copies of {@code values}; the patch records the run, its ops are built only if read.
   */
  private static void appendAll(UpdateContext ctx, ArrayNode target, JsonNode values, String path) {
    ctx.patch.appendAll(path, target.size(), values);
    CompactArrayNode.appendCopies(target, values);
  }

  static String tracePath(int idx) {
    return "/content/data/" + idx;
  }
}
