package io.vizrelay.common.downsample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.json.NumberArrays;
import java.util.Iterator;
import java.util.Map;

/**
 * A stored plot trace as a page is shown it: whole when it fits a budget, else its {@link M4}
 * points (docs/PROTOCOL.md "Downsampled traces"). Only line/scatter traces ({@code type} absent,
 * {@code scatter} or {@code scattergl}, no {@code z}) are bucketed; a trace whose x holds anything
 * but numbers and nulls (dates as text), or has no x, is bucketed over the point index.
 *
 * <p>A view shares the stored nodes it keeps (it is serialized, never changed); every array of the
 * trace (and of its {@code marker}) with one element per point is cut to the kept points.
 */
public final class TraceView {
  private TraceView() {}

  /** A range of a trace's points: the x and y values as stored, and how many the range held. */
  public record Range(ArrayNode x, ArrayNode y, boolean downsampled, int points) {
    /** The body of {@code GET .../points}: {@code {"x","y","downsampled","points"}}. */
    public byte[] toJson() {
      ObjectNode body = Json.object();
      body.set("x", x);
      body.set("y", y);
      body.put("downsampled", downsampled);
      body.put("points", points);
      return Json.bytes(body);
    }
  }

  /** Points of a trace: the longer of its x and y. */
  public static int points(JsonNode trace) {
    return Math.max(size(trace.get("x")), size(trace.get("y")));
  }

  /** True when the trace is a line/scatter trace that M4 may bucket. */
  public static boolean bucketable(JsonNode trace) {
    String type = trace.path("type").asText("scatter");
    return trace.isObject()
        && !trace.has("z")
        && (type.equals("scatter") || type.equals("scattergl"))
        && trace.path("y").isArray();
  }

  /** True when the trace is bucketable and longer than {@code maxPoints}. */
  public static boolean exceeds(JsonNode trace, int maxPoints) {
    return bucketable(trace) && points(trace) > maxPoints;
  }

  /**
   * The trace cut to at most {@code maxPoints} points (call only when {@link #exceeds}): a new
   * object sharing the trace's other members.
   */
  public static ObjectNode downsample(ObjectNode trace, int maxPoints) {
    int n = points(trace);
    int[] keep = M4.select(coordinates(trace, n), values(trace.get("y"), n), n, maxPoints);
    return cut(trace, keep, n);
  }

  /**
   * The points of a trace whose x lies in {@code [x0, x1]} (index positions when the trace is
   * bucketed over the index), in stored order: exactly as stored when at most {@code maxPoints},
   * else their {@link M4} selection.
   */
  public static Range range(ObjectNode trace, double x0, double x1, int maxPoints) {
    int n = points(trace);
    double[] c = coordinates(trace, n);
    int[] inRange = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      double ci = c == null ? i : c[i];
      if (ci >= x0 && ci <= x1) {
        inRange[m++] = i;
      }
    }
    int[] keep = inRange;
    boolean downsampled = m > maxPoints;
    if (downsampled) {
      double[] y = values(trace.get("y"), n); // y only matters when bucketing
      double[] sx = c == null ? null : new double[m];
      double[] sy = new double[m];
      for (int j = 0; j < m; j++) {
        if (sx != null) {
          sx[j] = c[inRange[j]];
        }
        sy[j] = y[inRange[j]];
      }
      int[] picked = M4.select(sx, sy, m, maxPoints);
      keep = new int[picked.length];
      for (int j = 0; j < picked.length; j++) {
        keep[j] = inRange[picked[j]];
      }
    } else {
      keep = java.util.Arrays.copyOf(inRange, m);
    }
    ArrayNode xs = trace.get("x") instanceof ArrayNode xa ? pick(xa, keep) : indices(keep);
    ArrayNode ys = pick((ArrayNode) trace.get("y"), keep);
    return new Range(xs, ys, downsampled, m);
  }

  /** The x coordinates to bucket on, or null to bucket over the index. */
  private static double[] coordinates(JsonNode trace, int n) {
    JsonNode x = trace.get("x");
    if (x == null || !x.isArray() || !NumberArrays.numericOrNull(x)) {
      return null;
    }
    return values(x, n);
  }

  /** The array's values as doubles, padded with NaN to {@code n}. */
  private static double[] values(JsonNode array, int n) {
    double[] v = array == null || !array.isArray() ? new double[0] : NumberArrays.of(array);
    if (v.length == n) {
      return v;
    }
    double[] out = java.util.Arrays.copyOf(v, n);
    java.util.Arrays.fill(out, Math.min(v.length, n), n, Double.NaN);
    return out;
  }

  private static ObjectNode cut(ObjectNode trace, int[] keep, int n) {
    ObjectNode out = Json.object();
    for (Iterator<Map.Entry<String, JsonNode>> it = trace.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      if (v instanceof ArrayNode a && a.size() == n) {
        out.set(f.getKey(), pick(a, keep));
      } else if (f.getKey().equals("marker") && v instanceof ObjectNode marker) {
        out.set("marker", cut(marker, keep, n));
      } else {
        out.set(f.getKey(), v);
      }
    }
    return out;
  }

  private static ArrayNode pick(ArrayNode from, int[] keep) {
    ArrayNode out = Json.NODES.arrayNode(keep.length);
    for (int i : keep) {
      out.add(i < from.size() ? from.get(i) : Json.NODES.nullNode());
    }
    return out;
  }

  private static ArrayNode indices(int[] keep) {
    ArrayNode out = Json.NODES.arrayNode(keep.length);
    for (int i : keep) {
      out.add(i);
    }
    return out;
  }

  private static int size(JsonNode node) {
    return node != null && node.isArray() ? node.size() : 0;
  }
}
