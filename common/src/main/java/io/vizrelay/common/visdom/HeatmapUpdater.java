package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * visdom's heatmap {@code updateDir}: append/prepend rows or columns of {@code z} (and the {@code
 * y}/{@code x} labels), or replace. Shape or label mismatches are not errors in visdom: the update
 * is "rejected" (only version/opts change) and the reply is still the window id. Malformed input
 * that would crash visdom is an {@code INVALID_FIELD} instead.
 */
final class HeatmapUpdater {
  static final Set<String> DIRS =
      Set.of("appendRow", "prependRow", "appendColumn", "prependColumn", "replace");

  /** A checked heatmap change: apply it (with or without label update) or reject it. */
  record Plan(String dir, boolean apply, boolean updateNames) {}

  private HeatmapUpdater() {}

  static Plan check(JsonNode plot, JsonNode d, String dir) {
    if (dir == null || !DIRS.contains(dir)) {
      throw PlotValidator.invalid("a heatmap update needs updateDir, one of " + DIRS);
    }
    if (!d.isObject() || !d.has("z")) {
      throw PlotValidator.invalid("a heatmap update needs data[0].z");
    }
    if (dir.equals("replace")) {
      return new Plan(dir, true, false);
    }
    JsonNode pz = plot.get("z");
    JsonNode dz = d.get("z");
    boolean rows = dir.endsWith("Row");
    if (!isMatrix(pz, rows) || !isMatrix(dz, rows)) {
      throw PlotValidator.invalid("heatmap z must be a non-empty list of rows");
    }
    boolean sameShape = rows ? pz.get(0).size() == dz.get(0).size() : pz.size() == dz.size();
    if (!sameShape) {
      return new Plan(dir, false, false);
    }
    if (!rows) {
      checkRows(pz);
      checkRows(dz);
    }
    String labels = rows ? "y" : "x";
    JsonNode old = nonNull(plot.get(labels));
    JsonNode added = nonNull(d.get(labels));
    if (old != null && added != null) {
      if (!old.isArray() || !added.isArray()) {
        throw PlotValidator.invalid("heatmap " + labels + " labels must be lists");
      }
      return new Plan(dir, !overlaps(old, added), true);
    }
    return new Plan(dir, old == null && added == null, false);
  }

  static void apply(UpdateContext ctx, int idx, Plan plan) {
    ctx.impure();
    if (!plan.apply()) {
      return;
    }
    ObjectNode plot = (ObjectNode) ctx.traces().get(idx);
    JsonNode d = ctx.data(0);
    String prefix = PatchBuilder.path("content", "data", Integer.toString(idx));
    ArrayNode pz = (ArrayNode) plot.get("z");
    ArrayNode dz = (ArrayNode) d.get("z");
    switch (plan.dir()) {
      case "appendRow" -> insertAll(ctx, pz, pz.size(), dz, prefix + "/z");
      case "prependRow" -> insertAll(ctx, pz, 0, dz, prefix + "/z");
      case "appendColumn", "prependColumn" -> {
        boolean append = plan.dir().startsWith("append");
        for (int i = 0; i < dz.size(); i++) {
          ArrayNode row = (ArrayNode) pz.get(i);
          insertAll(ctx, row, append ? row.size() : 0, (ArrayNode) dz.get(i), prefix + "/z/" + i);
        }
      }
      default -> {}
    }
    if (plan.updateNames()) {
      String labels = plan.dir().endsWith("Row") ? "y" : "x";
      ArrayNode old = (ArrayNode) plot.get(labels);
      int at = plan.dir().startsWith("append") ? old.size() : 0;
      insertAll(ctx, old, at, (ArrayNode) d.get(labels), prefix + "/" + labels);
    }
    copyFields(ctx, plot, d, plan.dir(), prefix);
  }

  /**
   * visdom then copies the other fields of data[0] onto the trace (nulls only when not appending).
   */
  private static void copyFields(
      UpdateContext ctx, ObjectNode plot, JsonNode d, String dir, String prefix) {
    boolean append = ctx.cmd.append();
    Iterator<Map.Entry<String, JsonNode>> it = d.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if ((k.equals("z") && !dir.equals("replace"))
          || (append && (k.equals("x") || k.equals("y")))) {
        continue;
      }
      JsonNode v = e.getValue();
      if ((!v.isNull() || !append) && !v.equals(plot.get(k))) {
        ctx.patch.set(prefix + "/" + JsonPatch.escape(k), plot.has(k), v);
        plot.set(k, v);
      }
    }
  }

  private static void insertAll(
      UpdateContext ctx, ArrayNode target, int at, ArrayNode values, String prefix) {
    for (int j = 0; j < values.size(); j++) {
      JsonNode v = values.get(j);
      target.insert(at + j, v);
      ctx.patch.add(prefix + "/" + (at + j), v);
    }
  }

  private static boolean isMatrix(JsonNode z, boolean needFirstRow) {
    return z != null && z.isArray() && (!needFirstRow || (!z.isEmpty() && z.get(0).isArray()));
  }

  private static void checkRows(JsonNode z) {
    for (JsonNode row : z) {
      if (!row.isArray()) {
        throw PlotValidator.invalid("heatmap z rows must be lists");
      }
    }
  }

  private static boolean overlaps(JsonNode old, JsonNode added) {
    for (JsonNode label : added) {
      for (JsonNode existing : old) {
        if (label.equals(existing)
            || (label.isNumber()
                && existing.isNumber()
                && label.asDouble() == existing.asDouble())) {
          return true;
        }
      }
    }
    return false;
  }

  private static JsonNode nonNull(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }
}
