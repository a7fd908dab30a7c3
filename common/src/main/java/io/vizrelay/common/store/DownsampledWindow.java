package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.downsample.TraceView;
import io.vizrelay.common.json.Json;
import java.util.Iterator;
import java.util.Map;

/**
 * The replay message of a window whose long traces are sent bucketed (docs/PROTOCOL.md "Downsampled
 * traces"): the window's usual {@code window} message with every line/scatter trace longer than the
 * budget cut to its {@link io.vizrelay.common.downsample.M4} points, plus {@code
 * "downsampled":[{"index":i,"points":stored,"shown":sent},...]} naming those traces.
 */
public final class DownsampledWindow {
  private DownsampledWindow() {}

  /** True when the window holds a line/scatter trace longer than {@code maxPoints}. */
  public static boolean needed(ObjectNode window, int maxPoints) {
    for (JsonNode t : window.path("content").path("data")) {
      if (TraceView.exceeds(t, maxPoints)) {
        return true;
      }
    }
    return false;
  }

  /** The serialized {@code window} message of env {@code eid} with its long traces bucketed. */
  public static byte[] message(String eid, ObjectNode window, int maxPoints) {
    ObjectNode out = Json.object();
    out.set("command", window.get("command"));
    out.put("env", eid);
    ArrayNode marks = Json.NODES.arrayNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = window.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("content") && f.getValue() instanceof ObjectNode content) {
        out.set("content", content(content, maxPoints, marks));
      } else if (!f.getKey().equals("command")) {
        out.set(f.getKey(), f.getValue());
      }
    }
    out.set("downsampled", marks);
    return Json.bytes(out);
  }

  private static ObjectNode content(ObjectNode content, int maxPoints, ArrayNode marks) {
    ObjectNode out = Json.object();
    for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("data") && f.getValue() instanceof ArrayNode traces) {
        out.set("data", traces(traces, maxPoints, marks));
      } else {
        out.set(f.getKey(), f.getValue());
      }
    }
    return out;
  }

  private static ArrayNode traces(ArrayNode traces, int maxPoints, ArrayNode marks) {
    ArrayNode out = Json.NODES.arrayNode(traces.size());
    for (int i = 0; i < traces.size(); i++) {
      JsonNode t = traces.get(i);
      if (!TraceView.exceeds(t, maxPoints)) {
        out.add(t);
        continue;
      }
      ObjectNode view = TraceView.downsample((ObjectNode) t, maxPoints);
      out.add(view);
      marks
          .addObject()
          .put("index", i)
          .put("points", TraceView.points(t))
          .put("shown", TraceView.points(view));
    }
    return out;
  }
}
