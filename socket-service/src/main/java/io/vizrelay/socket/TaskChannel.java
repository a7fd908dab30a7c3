package io.vizrelay.socket;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.socket.SocketRequest.Position;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node's single subscription to one task's deltas, shared by all its local sessions. It puts
 * deltas back in seq order: an early delta waits up to {@link #REORDER_WAIT_MS} for the missing
 * ones, then the gap is repaired from the store ({@code since}). Sessions get each delta once, in
 * order; the frame bytes are the same object for every session.
 */
final class TaskChannel<M extends TaskChannel.Member> {
  /** How long an out-of-order delta waits for the ones before it before the store is asked. */
  static final long REORDER_WAIT_MS = 100;

  /** What a channel feeds: a browser's {@link Session}. */
  interface Member {
    /** The next delta, in the channel's order. */
    void deliver(Delta delta);

    /** The channel lost its place (a gap the store could not fill): start over. */
    void resync(Position since, String reason);
  }

  /** Where the reorder wait is scheduled: the Vert.x timer of the channel's event loop. */
  interface Timer {
    long set(long delayMs, Runnable action);

    void cancel(long id);

    static Timer of(Vertx vertx) {
      return new Timer() {
        @Override
        public long set(long delayMs, Runnable action) {
          return vertx.setTimer(delayMs, id -> action.run());
        }

        @Override
        public void cancel(long id) {
          vertx.cancelTimer(id);
        }
      };
    }
  }

  /** Bounds of a channel that no session has positioned yet. */
  static final class TaskSlotLimits {
    /**
     * Deltas buffered before the first session's sync; past it the first delta starts the channel.
     */
    static final int UNPOSITIONED_MAX = 1024;

    private TaskSlotLimits() {}
  }

  final String taskId;
  private final Timer timer;
  private final TaskStore store;
  private final SocketMetrics metrics;
  private final Set<M> sessions = new LinkedHashSet<>();
  private final TreeMap<Long, Delta> early = new TreeMap<>();
  private final MessageConsumer<Delta> consumer;
  private String epoch;
  private long nextSeq = -1;
  private long repairTimer = -1;
  private boolean repairing;

  TaskChannel(Vertx vertx, String taskId, TaskStore store, SocketMetrics metrics) {
    this(vertx, Timer.of(vertx), taskId, store, metrics);
  }

  TaskChannel(Vertx vertx, Timer timer, String taskId, TaskStore store, SocketMetrics metrics) {
    this.timer = timer;
    this.taskId = taskId;
    this.store = store;
    this.metrics = metrics;
    this.consumer = vertx.eventBus().consumer(Addresses.task(taskId), msg -> onDelta(msg.body()));
  }

  void add(M session) {
    sessions.add(session);
  }

  /** Removes a session; true when the channel has none left. */
  boolean remove(M session) {
    sessions.remove(session);
    return sessions.isEmpty();
  }

  int size() {
    return sessions.size();
  }

  Set<M> sessions() {
    return sessions;
  }

  void close() {
    consumer.unregister();
    if (repairTimer >= 0) {
      timer.cancel(repairTimer);
    }
  }

  /** A delta of the task from the event bus (any order, duplicates possible). */
  void onDelta(Delta delta) {
    if (epoch == null && early.size() < TaskSlotLimits.UNPOSITIONED_MAX) {
      early.put(delta.seq(), delta);
      return;
    }
    if (epoch == null || !epoch.equals(delta.epoch())) {
      restart(delta);
      return;
    }
    if (delta.seq() < nextSeq) {
      return;
    }
    if (delta.seq() > nextSeq) {
      early.put(delta.seq(), delta);
      scheduleRepair();
      return;
    }
    fanOut(delta);
    drainEarly();
  }

  /**
   * A session of this channel is in sync at {@code epoch:seq}. A channel that has not started yet
   * starts right after it, so a first delta that arrived out of order is neither taken as the start
   * nor dropped (deltas published by several ingest nodes, or completed out of order by the grid).
   */
  void positioned(String syncEpoch, long seq) {
    if (epoch != null) {
      return;
    }
    epoch = syncEpoch;
    nextSeq = seq + 1;
    early.values().removeIf(d -> !d.epoch().equals(syncEpoch));
    early.headMap(nextSeq).clear();
    drainEarly();
    if (!early.isEmpty()) {
      scheduleRepair();
    }
  }

  private void restart(Delta delta) {
    epoch = delta.epoch();
    nextSeq = delta.seq();
    early.clear();
    fanOut(delta);
  }

  private void fanOut(Delta delta) {
    nextSeq = delta.seq() + 1;
    for (M s : sessions) {
      s.deliver(delta);
    }
  }

  private void drainEarly() {
    while (!early.isEmpty() && early.firstKey() <= nextSeq) {
      Delta d = early.pollFirstEntry().getValue();
      if (d.seq() == nextSeq) {
        fanOut(d);
      }
    }
    if (early.isEmpty() && repairTimer >= 0) {
      timer.cancel(repairTimer);
      repairTimer = -1;
    }
  }

  private void scheduleRepair() {
    if (repairTimer < 0 && !repairing) {
      repairTimer =
          timer.set(
              REORDER_WAIT_MS,
              () -> {
                repairTimer = -1;
                repair();
              });
    }
  }

  private void repair() {
    if (early.isEmpty()) {
      return;
    }
    repairing = true;
    metrics.gapRepaired();
    String e = epoch;
    store
        .since(taskId, e, nextSeq - 1)
        .onComplete(
            ar -> {
              repairing = false;
              if (!e.equals(epoch)) {
                return;
              }
              if (ar.failed() || ar.result().gone()) {
                early.clear();
                epoch = null;
                sessions.forEach(s -> s.resync(null, "gap"));
                return;
              }
              for (Delta d : ar.result().deltas()) {
                if (d.seq() == nextSeq) {
                  fanOut(d);
                }
              }
              drainEarly();
              if (!early.isEmpty()) {
                scheduleRepair();
              }
            });
  }
}
