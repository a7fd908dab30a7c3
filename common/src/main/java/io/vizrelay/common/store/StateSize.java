package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.CompactArrayNode;
import io.vizrelay.common.visdom.EnvState;
import io.vizrelay.common.visdom.TaskState;
import java.util.Iterator;
import java.util.Map;

/**
 * An estimate of the heap a task's state holds, for the hot-state bound: walks the JSON trees
 * except numeric columns, whose size is known without a walk, so it costs O(containers and
 * strings), not O(points).
 */
public final class StateSize {
  private static final long OBJECT = 40;
  private static final long ENTRY = 48;
  private static final long LEAF = 24;

  private StateSize() {}

  public static long of(TaskState state) {
    long bytes = 64;
    for (Map.Entry<String, EnvState> e : state.envs().entrySet()) {
      bytes += ENTRY + string(e.getKey()) + node(e.getValue().reload());
      for (Map.Entry<String, com.fasterxml.jackson.databind.node.ObjectNode> w :
          e.getValue().windows().entrySet()) {
        bytes += ENTRY + string(w.getKey()) + node(w.getValue());
      }
    }
    return bytes;
  }

  private static long node(JsonNode n) {
    if (n instanceof CompactArrayNode a && a.primitive()) {
      return a.heapBytes();
    }
    if (n.isObject()) {
      long bytes = OBJECT;
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        bytes += ENTRY + string(e.getKey()) + node(e.getValue());
      }
      return bytes;
    }
    if (n.isArray()) {
      long bytes = OBJECT + 16 + 4L * n.size();
      for (JsonNode c : n) {
        bytes += node(c);
      }
      return bytes;
    }
    if (n.isTextual()) {
      return LEAF + string(n.textValue());
    }
    return LEAF;
  }

  private static long string(String s) {
    return 40 + s.length();
  }
}
