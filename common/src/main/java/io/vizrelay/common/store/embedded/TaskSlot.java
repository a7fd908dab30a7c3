package io.vizrelay.common.store.embedded;

import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.WindowBytesCache;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The life of one task in the embedded store. Hot: its state, recent deltas and cached window bytes
 * are in memory. Cold ({@link #state} null): only its id and epoch are; the rest is in the log,
 * loaded on the next operation. Confined to the thread holding the task's {@link Shard}, except the
 * volatile figures that the log writer and the sweeper read.
 */
final class TaskSlot {
  /** Recent deltas kept in memory for fast resume and gap repair; older ones come from the log. */
  static final int RING = 1024;

  /** Bytes of recent deltas kept at most (big batched events would otherwise pin a lot of heap). */
  static final long RING_BYTES = 1L << 20;

  final String taskId;
  final String epoch;

  /** The visdom state, or null while the task is cold. */
  volatile TaskState state;

  long lastSeq;
  volatile long committedSeq;
  long bytesSinceSnapshot;
  long lastSnapshotBytes;

  /** A snapshot is queued on the shard and has not run yet (guarded by the shard). */
  boolean snapshotQueued;

  /** Whether the log holds the task (false for a task only ever read, never written). */
  boolean persisted;

  /** Serialized windows reused by late joins while they do not change. */
  WindowBytesCache windowBytes = new WindowBytesCache();

  private final ArrayDeque<Delta> ring = new ArrayDeque<>();
  private long ringBytes;

  /** Completes once everything logged before the unload is committed; a load waits for it. */
  CompletableFuture<Void> flushed;

  /** When an operation last used the task ({@link System#nanoTime}). */
  volatile long lastUsedNanos = System.nanoTime();

  /** The estimated heap of the state plus the recent deltas; 0 while cold. */
  volatile long stateBytes;

  /**
   * The state changed since {@link #stateBytes} was estimated, or never was (the sweeper
   * re-estimates).
   */
  boolean changedSinceMeasure = true;

  /** When {@link #stateBytes} was last estimated ({@link System#nanoTime}); 0 before the first. */
  volatile long lastMeasureNanos;

  TaskSlot(String taskId, String epoch, TaskState state, long lastSeq) {
    this.taskId = taskId;
    this.epoch = epoch;
    this.state = state;
    this.lastSeq = lastSeq;
    this.committedSeq = lastSeq;
  }

  /** A task known to the log, not loaded. */
  static TaskSlot cold(String taskId, String epoch) {
    TaskSlot slot = new TaskSlot(taskId, epoch, null, 0);
    slot.persisted = true;
    return slot;
  }

  boolean hot() {
    return state != null;
  }

  void touch() {
    lastUsedNanos = System.nanoTime();
  }

  void remember(Delta delta) {
    ring.addLast(delta);
    long size = delta.stored().length();
    bytesSinceSnapshot += size;
    ringBytes += size;
    while (ring.size() > RING || (ringBytes > RING_BYTES && ring.size() > 1)) {
      ringBytes -= ring.removeFirst().stored().length();
    }
    changedSinceMeasure = true;
  }

  long ringBytes() {
    return ringBytes;
  }

  /** Drops everything but the identity; the log holds the rest. */
  void unload(CompletableFuture<Void> flushedBefore) {
    state = null;
    ring.clear();
    ringBytes = 0;
    windowBytes = new WindowBytesCache();
    flushed = flushedBefore;
    stateBytes = 0;
    changedSinceMeasure = true;
    lastMeasureNanos = 0;
  }

  /** The deltas after {@code seq} when the ring still holds all of them, else null. */
  List<Delta> fromRing(long seq) {
    if (seq == lastSeq) {
      return List.of();
    }
    Delta first = ring.peekFirst();
    if (first == null || first.seq() > seq + 1) {
      return null;
    }
    List<Delta> out = new ArrayList<>((int) (lastSeq - seq));
    for (Delta d : ring) {
      if (d.seq() > seq) {
        out.add(d);
      }
    }
    return out;
  }

  void advanceCommitted(long seq) {
    if (seq > committedSeq) {
      committedSeq = seq;
    }
  }
}
