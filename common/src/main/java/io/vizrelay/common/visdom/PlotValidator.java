package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a plot {@code /update} against everything that makes visdom 0.2.4 fail half-way with an
 * HTTP 500, and decides what the update will do ({@link UpdatePlan}). Pure: nothing is mutated, so
 * a rejected command leaves the state untouched. Cost is O(request + traces).
 */
final class PlotValidator {
  /** A missing stored marker.color counts as an empty list (visdom creates one). */
  private static final JsonNode EMPTY_LIST = Json.NODES.arrayNode();

  private PlotValidator() {}

  static UpdatePlan validate(UpdateContext ctx, Limits limits) {
    ArrayNode traces = ctx.traces();
    checkWindowShape(ctx);
    List<JsonNode> names = namesAfterLegend(ctx, traces);
    ArrayNode data = ctx.data();
    String name = ctx.cmd.name();
    if (name == null && data == null) {
      return new UpdatePlan(UpdatePlan.Mode.OPTS_ONLY, List.of(), null, null);
    }
    boolean delete = ctx.cmd.delete();
    if (name != null && !delete && (data == null || data.size() != 1)) {
      throw invalid("an update of the trace named '" + name + "' takes exactly one trace in data");
    }
    List<Integer> idxs = targets(names, name);
    if (delete) {
      return new UpdatePlan(UpdatePlan.Mode.DELETE, idxs, null, null);
    }
    if (data == null || data.isEmpty() || !data.get(0).isObject()) {
      throw invalid("data must hold at least one trace object");
    }
    long before = Points.ofWindow(ctx.window);
    if (idxs.isEmpty()) {
      if (!data.get(0).has("type")) {
        throw invalid("data[0] has no type");
      }
      Points.check(limits, before + Points.ofTrace(data.get(0)), ctx.key);
      return new UpdatePlan(UpdatePlan.Mode.ADD_TRACE, idxs, null, null);
    }
    JsonNode first = traces.get(idxs.get(0));
    if (idxs.size() == 1 && "heatmap".equals(first.path("type").asText(null))) {
      HeatmapUpdater.Plan plan = HeatmapUpdater.check(first, data.get(0), ctx.cmd.updateDir());
      Points.check(limits, before + Points.ofTrace(data.get(0)), ctx.key);
      return new UpdatePlan(UpdatePlan.Mode.HEATMAP, idxs, null, plan);
    }
    boolean[] masked = checkTraces(ctx, traces, idxs, before, limits);
    return new UpdatePlan(UpdatePlan.Mode.TRACES, idxs, masked, null);
  }

  private static void checkWindowShape(UpdateContext ctx) {
    if (!ctx.window.path("version").canConvertToLong()) {
      throw invalid("window " + ctx.key + " has no integer version");
    }
    if (hasNonNull(ctx.layout()) && !ctx.window.get("content").path("layout").isObject()) {
      throw invalid("window " + ctx.key + " has no layout object to merge into");
    }
  }

  /** Trace names as they will be after {@code opts.legend} renamed them (visdom renames first). */
  private static List<JsonNode> namesAfterLegend(UpdateContext ctx, ArrayNode traces) {
    JsonNode legend = ctx.opts().get("legend");
    List<JsonNode> names = new ArrayList<>(traces.size());
    if (legend != null
        && !traces.isEmpty()
        && (!legend.isArray() || legend.size() < traces.size())) {
      throw invalid("opts.legend must list a name for each of the " + traces.size() + " traces");
    }
    for (int i = 0; i < traces.size(); i++) {
      JsonNode trace = traces.get(i);
      if (!trace.isObject()) {
        throw invalid("trace " + i + " of window " + ctx.key + " is not an object");
      }
      names.add(legend != null ? legend.get(i) : trace.get("name"));
    }
    return names;
  }

  private static List<Integer> targets(List<JsonNode> names, String name) {
    List<Integer> idxs = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      JsonNode n = names.get(i);
      if (name == null || (n != null && n.isTextual() && n.asText().equals(name))) {
        idxs.add(i);
      }
    }
    return idxs;
  }

  private static boolean[] checkTraces(
      UpdateContext ctx, ArrayNode traces, List<Integer> idxs, long before, Limits limits) {
    if (ctx.data().size() < idxs.size()) {
      throw invalid(
          "data has " + ctx.data().size() + " traces but the update targets " + idxs.size());
    }
    boolean append = ctx.cmd.append();
    boolean[] masked = new boolean[idxs.size()];
    long after = before;
    for (int n = 0; n < idxs.size(); n++) {
      JsonNode d = ctx.data(n);
      JsonNode trace = traces.get(idxs.get(n));
      if (!d.isObject() || !d.path("x").isArray()) {
        throw invalid("data[" + n + "].x must be a list");
      }
      masked[n] = allMissing(d.get("x"));
      if (masked[n]) {
        continue;
      }
      for (String axis : new String[] {"x", "y"}) {
        checkConcat(d.get(axis), trace.get(axis), append, "data[" + n + "]." + axis);
      }
      checkMarker(d, trace, append, n);
      after += append ? Points.ofTrace(d) : Points.ofTrace(d) - Points.ofTrace(trace);
    }
    Points.check(limits, after, ctx.key);
    return masked;
  }

  private static void checkMarker(JsonNode d, JsonNode trace, boolean append, int n) {
    if (!d.has("marker")) {
      return;
    }
    JsonNode marker = d.get("marker");
    JsonNode existing = trace.get("marker");
    if (!marker.isObject() || (existing != null && !existing.isObject())) {
      throw invalid("data[" + n + "].marker and the trace's marker must be objects");
    }
    if (marker.has("color")) {
      JsonNode old = existing == null ? null : existing.get("color");
      checkConcat(
          marker.get("color"),
          old == null ? EMPTY_LIST : old,
          append,
          "data[" + n + "].marker.color");
    }
  }

  /** {@code old + new} (append) must be list + list; a replace only needs the new value. */
  private static void checkConcat(JsonNode value, JsonNode old, boolean append, String what) {
    if (value == null) {
      throw invalid(what + " is missing");
    }
    if (append && (!value.isArray() || old == null || !old.isArray())) {
      throw invalid(what + " cannot be appended: both the stored and the new value must be lists");
    }
  }

  /**
   * visdom skips an entry whose x values are all null or NaN (Python's {@code all([])} is true).
   */
  static boolean allMissing(JsonNode xs) {
    for (JsonNode x : xs) {
      if (!(x.isNull() || (x.isNumber() && Double.isNaN(x.asDouble())))) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasNonNull(JsonNode object) {
    for (JsonNode v : object) {
      if (!v.isNull()) {
        return true;
      }
    }
    return false;
  }

  static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_FIELD, message);
  }
}
