package io.vizrelay.common.registry;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskGet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writer's side of the per-user task limit: before ingest or a browser command writes to a
 * task, the registry admits it ({@link Addresses#TASK_ADMIT}), registering a new task at once and
 * counting it against its owner's limit. A refused task gets 422 {@code LIMIT_EXCEEDED} and nothing
 * is stored. Admitted ids are remembered (the newest {@value #REMEMBERED}), so a task asks once per
 * process, again after it was deleted ({@link Addresses#TASK_DELETED}).
 */
public final class TaskAdmission {
  /** How long a write waits for the registry's answer; past it, 503 {@code UNAVAILABLE}. */
  public static final long TIMEOUT_MS = 5000;

  /** Admitted task ids remembered per process (least recently used forgotten first). */
  static final int REMEMBERED = 100_000;

  private final Vertx vertx;
  private final Map<String, Boolean> admitted =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      };
  private final MessageConsumer<Buffer> deletions;

  private TaskAdmission(Vertx vertx) {
    this.vertx = vertx;
    this.deletions =
        vertx
            .eventBus()
            .consumer(
                Addresses.TASK_DELETED,
                msg -> forget(Json.read(msg.body().getBytes(), TaskGet.class).taskId()));
  }

  /** Admission for writers in {@code vertx}; {@link #close} it when the writer stops. */
  public static TaskAdmission start(Vertx vertx) {
    return new TaskAdmission(vertx);
  }

  /** Succeeds when {@code taskId} may be written; fails with an {@link ApiException} otherwise. */
  public Future<Void> admit(String taskId) {
    if (remembered(taskId)) {
      return Future.succeededFuture();
    }
    return vertx
        .eventBus()
        .request(
            Addresses.TASK_ADMIT,
            Buffer.buffer(Json.bytes(new TaskGet(taskId))),
            new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
        .recover(err -> Future.failedFuture(refusal(taskId, err)))
        .map(
            reply -> {
              remember(taskId);
              return null;
            });
  }

  public Future<Void> close() {
    return deletions.unregister();
  }

  private static ApiException refusal(String taskId, Throwable err) {
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      ErrorCode code =
          re.failureCode() == ErrorCode.LIMIT_EXCEEDED.status()
              ? ErrorCode.LIMIT_EXCEEDED
              : ErrorCode.forStatus(re.failureCode());
      return new ApiException(code, re.getMessage());
    }
    return new ApiException(
        ErrorCode.UNAVAILABLE, "the task registry did not answer for task " + taskId);
  }

  private synchronized boolean remembered(String taskId) {
    return admitted.get(taskId) != null;
  }

  private synchronized void remember(String taskId) {
    admitted.put(taskId, Boolean.TRUE);
  }

  private synchronized void forget(String taskId) {
    admitted.remove(taskId);
  }
}
