package io.vizrelay.socket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Snapshot;
import java.util.List;

/** The session-level messages the socket sends besides task frames, and zero-copy text frames. */
final class Frames {
  private Frames() {}

  /**
   * A text frame over the bytes of an already serialized message, without copying or decoding them:
   * one serialization per node, the same bytes written to every session.
   */
  static WebSocketFrame text(Buffer utf8Json) {
    ByteBuf slice = ((BufferInternal) utf8Json).getByteBuf();
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, slice, true);
  }

  /** visdom's first frame; {@code readonly} tells the page it watches a task shared with it. */
  static Buffer register(String sid, boolean readonly) {
    return json(
        Json.object().put("command", "register").put("data", sid).put("readonly", readonly));
  }

  static Buffer layoutUpdate() {
    return json(Json.object().put("command", "layout_update").put("data", ""));
  }

  static Buffer envUpdate(List<String> envs) {
    ObjectNode node = Json.object().put("command", "env_update");
    envs.forEach(node.putArray("data")::add);
    return json(node);
  }

  /**
   * Announces the position of the frames that follow: a snapshot (then {@code recovered} is false
   * when a requested resume could not be served) or a resume (the missed deltas follow).
   */
  static Buffer sync(
      String taskId,
      String env,
      String epoch,
      long seq,
      String mode,
      Boolean recovered,
      String reason) {
    ObjectNode node =
        Json.object()
            .put("command", "sync")
            .put("task_id", taskId)
            .put("env", env)
            .put("epoch", epoch)
            .put("seq", seq)
            .put("mode", mode)
            .put("reason", reason);
    if (recovered != null) {
      node.put("recovered", recovered);
    }
    return json(node);
  }

  static Buffer snapshotSync(
      String taskId, String env, Snapshot snap, Boolean recovered, String reason) {
    return sync(taskId, env, snap.epoch(), snap.seq(), "snapshot", recovered, reason);
  }

  static Buffer json(ObjectNode node) {
    return Buffer.buffer(Json.bytes(node));
  }
}
