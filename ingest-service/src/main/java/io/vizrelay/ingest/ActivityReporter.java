package io.vizrelay.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TasksSeen;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collects "task seen" heartbeats from every ingest request and sends them to one taskinfo replica
 * in one bus message per interval ({@link Addresses#TASKS_SEEN}), however many events arrived.
 */
public final class ActivityReporter {
  /** How often seen tasks are reported. */
  public static final long INTERVAL_MS = 1000;

  private final Vertx vertx;
  private final Map<String, TaskSeen> pending = new ConcurrentHashMap<>();
  private long timerId = -1;

  public ActivityReporter(Vertx vertx) {
    this.vertx = vertx;
  }

  public void start() {
    timerId = vertx.setPeriodic(INTERVAL_MS, id -> flush());
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    flush();
  }

  /** Records that {@code taskId} was seen now, after its events up to {@code lastSeq}. */
  public void seen(String taskId, long lastSeq, int events) {
    long now = System.currentTimeMillis();
    pending.merge(
        taskId,
        new TaskSeen(taskId, now, lastSeq, -1, events),
        (a, b) ->
            new TaskSeen(
                taskId, now, Math.max(a.lastSeq(), b.lastSeq()), -1, a.events() + b.events()));
  }

  /** Publishes what was collected, if anything. */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<TaskSeen> batch = new ArrayList<>(pending.size());
    for (String taskId : List.copyOf(pending.keySet())) {
      TaskSeen seen = pending.remove(taskId);
      if (seen != null) {
        batch.add(seen);
      }
    }
    vertx.eventBus().send(Addresses.TASKS_SEEN, Buffer.buffer(Json.bytes(new TasksSeen(batch))));
  }
}
