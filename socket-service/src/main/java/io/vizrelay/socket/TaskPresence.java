package io.vizrelay.socket;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskGet;
import io.vizrelay.common.store.TaskStore;

/**
 * Whether a task is known, for sockets that ask to be refused otherwise ({@code known=1}, the
 * page). A task is unknown only when the store holds no state for it <em>and</em> the registry
 * answers that it does not exist. A task with stored state but no registry entry (registry down, or
 * a task older than the registry) is known; so is a registered task with nothing stored yet. When
 * the registry cannot answer (no replica, timeout) the store decides alone only if it holds the
 * task: otherwise the task counts as known, because an unanswered lookup proves nothing.
 */
final class TaskPresence {
  private final Vertx vertx;
  private final TaskStore store;
  private final long timeoutMs;

  TaskPresence(Vertx vertx, TaskStore store, long timeoutMs) {
    this.vertx = vertx;
    this.store = store;
    this.timeoutMs = timeoutMs;
  }

  /** True unless the task has no stored state and the registry says it does not exist. */
  Future<Boolean> known(String taskId) {
    return store
        .stats(taskId)
        .compose(stats -> stats != null ? Future.succeededFuture(true) : registered(taskId));
  }

  private Future<Boolean> registered(String taskId) {
    Buffer body = Buffer.buffer(Json.bytes(new TaskGet(taskId)));
    return vertx
        .eventBus()
        .<Buffer>request(Addresses.TASK_GET, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(reply -> true)
        .recover(err -> Future.succeededFuture(!isNotFound(err)));
  }

  private static boolean isNotFound(Throwable err) {
    return err instanceof ReplyException re
        && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() == 404;
  }
}
