package io.vizrelay.common.store.embedded;

import io.vizrelay.common.store.WindowBytesCache;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory life of one task in the embedded store. Confined to the task's shard thread,
 * except {@link #committedSeq}, which the log writer advances.
 */
final class TaskSlot {
  /** Recent deltas kept in memory for fast resume and gap repair; older ones come from the log. */
  static final int RING = 1024;

  final String taskId;
  final String epoch;
  final TaskState state;
  long lastSeq;
  volatile long committedSeq;
  long bytesSinceSnapshot;
  long lastSnapshotBytes;
  /** Serialized windows reused by late joins while they do not change. */
  final WindowBytesCache windowBytes = new WindowBytesCache();
  private final ArrayDeque<Delta> ring = new ArrayDeque<>();

  TaskSlot(String taskId, String epoch, TaskState state, long lastSeq) {
    this.taskId = taskId;
    this.epoch = epoch;
    this.state = state;
    this.lastSeq = lastSeq;
    this.committedSeq = lastSeq;
  }

  void remember(Delta delta) {
    ring.addLast(delta);
    bytesSinceSnapshot += delta.stored().length();
    if (ring.size() > RING) {
      ring.removeFirst();
    }
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
