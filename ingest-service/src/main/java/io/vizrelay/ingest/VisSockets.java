package io.vizrelay.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vizrelay.common.bus.Addresses;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One event loop's {@code /vis_socket} sockets by task, and one bus consumer per task with sockets
 * on the loop, relaying the task's browser events to them. Confined to its loop ({@link
 * VisSocketHub} keeps one per loop).
 */
final class VisSockets {
  private final Vertx vertx;
  private final Map<String, Set<ServerWebSocket>> sockets = new HashMap<>();
  private final Map<String, MessageConsumer<Buffer>> consumers = new HashMap<>();

  VisSockets(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A socket of {@code taskId} opened on this loop. */
  void add(String taskId, ServerWebSocket ws) {
    sockets.computeIfAbsent(taskId, k -> new LinkedHashSet<>()).add(ws);
    consumers.computeIfAbsent(
        taskId,
        k ->
            vertx
                .eventBus()
                .<Buffer>consumer(Addresses.visSocket(k), msg -> broadcast(k, msg.body())));
  }

  /** The socket closed; the task's consumer goes with its last socket on this loop. */
  void remove(String taskId, ServerWebSocket ws) {
    Set<ServerWebSocket> set = sockets.get(taskId);
    if (set == null) {
      return;
    }
    set.remove(ws);
    if (set.isEmpty()) {
      sockets.remove(taskId);
      MessageConsumer<Buffer> consumer = consumers.remove(taskId);
      if (consumer != null) {
        consumer.unregister();
      }
    }
  }

  private void broadcast(String taskId, Buffer message) {
    String text = message.toString();
    for (ServerWebSocket ws : sockets.getOrDefault(taskId, Set.of())) {
      if (!ws.writeQueueFull()) {
        ws.writeTextMessage(text);
      }
    }
  }
}
