package io.vizrelay.taskinfo;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.error.ErrorHandler;
import io.vizrelay.common.registry.RegistryOp;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Parked long-poll requests of {@code GET /api/tasks/{id}/control}. A parked request holds no
 * thread: only a timer and its routing context. It is answered exactly once: when its task gets a
 * decisive state (stop requested, finished), is deleted, at its timeout, or at shutdown; a client
 * that goes away is forgotten. The decisive changes arrive as the registry's bus notifications
 * ({@code TASK_STATUS}, {@code TASK_DELETED}), so a stop asked on any taskinfo replica releases the
 * requests parked on every replica.
 */
final class ControlWaiters {
  private final Vertx vertx;
  private final Map<String, Set<Waiter>> byTask = new ConcurrentHashMap<>();

  ControlWaiters(Vertx vertx) {
    this.vertx = vertx;
  }

  /** One parked request; {@code answered} makes every answer path race-free. */
  private final class Waiter {
    final String taskId;
    final RoutingContext ctx;
    final Context context;
    final AtomicBoolean answered = new AtomicBoolean();
    volatile long timerId = -1;

    Waiter(String taskId, RoutingContext ctx) {
      this.taskId = taskId;
      this.ctx = ctx;
      this.context = vertx.getOrCreateContext();
    }

    boolean claim() {
      if (!answered.compareAndSet(false, true)) {
        return false;
      }
      vertx.cancelTimer(timerId);
      forget(this);
      return true;
    }
  }

  /**
   * Parks the request for at most {@code timeoutMs}, then checks {@code current}: a state already
   * decisive is answered at once (checking after parking means no stop can slip in between).
   */
  void park(
      RoutingContext ctx, String taskId, long timeoutMs, Supplier<Future<ControlState>> current) {
    Waiter waiter = new Waiter(taskId, ctx);
    byTask.compute(
        taskId,
        (id, set) -> {
          Set<Waiter> waiters = set != null ? set : ConcurrentHashMap.newKeySet();
          waiters.add(waiter);
          return waiters;
        });
    waiter.timerId =
        vertx.setTimer(
            Math.max(1, timeoutMs), id -> current.get().onComplete(ar -> answer(waiter, ar)));
    ctx.response().closeHandler(v -> waiter.claim());
    current
        .get()
        .onComplete(
            ar -> {
              if (ar.failed() || ar.result() == null || ar.result().decisive()) {
                answer(waiter, ar);
              }
            });
  }

  /** Answers the task's parked requests with {@code state}. */
  void release(ControlState state) {
    Set<Waiter> waiters = byTask.get(state.taskId());
    if (waiters != null) {
      waiters.forEach(w -> answer(w, Future.succeededFuture(state)));
    }
  }

  /** The task was deleted: its parked requests get 404. */
  void gone(String taskId) {
    Set<Waiter> waiters = byTask.get(taskId);
    if (waiters != null) {
      waiters.forEach(w -> answer(w, Future.succeededFuture(null)));
    }
  }

  /** Shutdown: every parked request gets its task's current state (the job simply polls again). */
  void releaseAll(Function<String, Future<ControlState>> current) {
    byTask
        .values()
        .forEach(ws -> ws.forEach(w -> current.apply(w.taskId).onComplete(ar -> answer(w, ar))));
  }

  int waiting(String taskId) {
    Set<Waiter> waiters = byTask.get(taskId);
    return waiters == null ? 0 : waiters.size();
  }

  /**
   * Answers on the request's own context: the state, 404 when it is null (the task no longer
   * exists), or the error when reading it failed.
   */
  private void answer(Waiter waiter, AsyncResult<ControlState> state) {
    if (!waiter.claim()) {
      return;
    }
    waiter.context.runOnContext(
        v -> {
          if (state.failed()) {
            waiter.ctx.fail(state.cause());
          } else if (state.result() == null) {
            ErrorHandler.send(waiter.ctx.response(), RegistryOp.notFound(waiter.taskId));
          } else {
            TaskHttpApi.sendJson(waiter.ctx, 200, state.result());
          }
        });
  }

  private void forget(Waiter waiter) {
    byTask.computeIfPresent(
        waiter.taskId,
        (id, set) -> {
          set.remove(waiter);
          return set.isEmpty() ? null : set;
        });
  }
}
