package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;

/**
 * One {@code /update} on an existing window while it is applied: the window, the request, the patch
 * being built, and whether the change is still a pure append (for the compact frame).
 */
final class UpdateContext {
  final String eid;
  final String key;
  final ObjectNode window;
  final VisdomCommand.UpdateWindow cmd;
  final PatchBuilder patch = new PatchBuilder();

  /** Per-trace appends, the body of the compact {@code append} frame. */
  final ArrayNode compactTraces = Json.NODES.arrayNode();

  private boolean pure = true;

  UpdateContext(String eid, String key, ObjectNode window, VisdomCommand.UpdateWindow cmd) {
    this.eid = eid;
    this.key = key;
    this.window = window;
    this.cmd = cmd;
  }

  ObjectNode opts() {
    return cmd.opts() == null ? Json.object() : cmd.opts();
  }

  ObjectNode layout() {
    return cmd.layout() == null ? Json.object() : cmd.layout();
  }

  ArrayNode data() {
    return cmd.data();
  }

  JsonNode data(int n) {
    return cmd.data().get(n);
  }

  /** The window's trace list ({@code content.data}). */
  ArrayNode traces() {
    return (ArrayNode) window.get("content").get("data");
  }

  /** Marks the update as more than an append of x/y/marker.color to existing traces. */
  void impure() {
    pure = false;
  }

  boolean pure() {
    return pure;
  }
}
