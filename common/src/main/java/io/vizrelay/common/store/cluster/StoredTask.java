package io.vizrelay.common.store.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vizrelay.common.json.TreeCodec;
import io.vizrelay.common.store.FrameEnvelope;
import io.vizrelay.common.store.StateSize;
import io.vizrelay.common.visdom.FrameApplier;
import io.vizrelay.common.visdom.TaskState;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task as the grid holds it (the value of {@link ClusterTaskStore#MAP}, in-memory format OBJECT):
 * its stream life, last seq, visdom state, a ring of recent frames for {@code since}, and the
 * recent request ids (so an invocation Hazelcast retries after a member loss is not applied twice).
 * Only entry processors touch it, serially per task on the partition owner (and on the backup, in
 * the same order). Serialized whole only when a partition migrates or a replica is re-synchronized,
 * with numeric columns as raw primitives ({@link TreeCodec}), as held in memory.
 */
public final class StoredTask implements DataSerializable {
  /** Request ids remembered for de-duplication of retried invocations. */
  static final int RECENT_REQUESTS = 256;

  String epoch;
  long lastSeq;
  TaskState state;
  final ArrayDeque<RingFrame> ring = new ArrayDeque<>();

  /** request id -> [firstSeq, lastSeq] of the frames it made, plus its reply. */
  final LinkedHashMap<String, Done> recent = new LinkedHashMap<>();

  /**
   * PostgreSQL tier ({@link TaskMapStore}): the last seq this member knows committed there, {@link
   * TaskMapStore#UNKNOWN} or {@link TaskMapStore#POISONED}. Member-local: never serialized.
   */
  long pgSeq = TaskMapStore.UNKNOWN;

  /**
   * Set on a backup replica that could not replay its primary's frames ({@code Processors.Replay}):
   * its state is not the primary's until the primary's whole task replaces it. Never serialized.
   */
  transient boolean diverged;

  /**
   * When an operation last used this task on this member (made, loaded or replicated here counts):
   * the grid's idle eviction ({@link GridEviction}) reads it. Member-local, never serialized.
   */
  transient volatile long usedAtMs = System.currentTimeMillis();

  /** {@link #footprint()} as last estimated, and the seq it was estimated at (-1: never). */
  private transient long footprintBytes;

  private transient long footprintSeq = -1;

  public StoredTask() {}

  StoredTask(String epoch) {
    this.epoch = epoch;
    this.state = new TaskState();
  }

  /** This task's state in a new stream life ({@code epoch}, no frames yet), in step again. */
  StoredTask restarted(String newEpoch) {
    StoredTask t = new StoredTask(newEpoch);
    t.state = state;
    return t;
  }

  /** Marks {@code task} (may be null) used now; returns it. */
  static StoredTask used(StoredTask task) {
    if (task != null) {
      task.usedAtMs = System.currentTimeMillis();
    }
    return task;
  }

  /** What an applied request made, kept to answer its retry identically. */
  record Done(long firstSeq, long lastSeq, String reply, boolean json) {}

  void remember(String requestId, Done done) {
    if (requestId == null) {
      return;
    }
    recent.put(requestId, done);
    if (recent.size() > RECENT_REQUESTS) {
      Iterator<String> it = recent.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  void append(RingFrame frame, Retention retention) {
    ring.addLast(frame);
    lastSeq = frame.seq();
    retention.trim(ring, frame.atMs());
  }

  /** The frames after {@code seq} when the ring still holds all of them, else null. */
  List<RingFrame> after(long seq) {
    if (seq == lastSeq) {
      return List.of();
    }
    RingFrame first = ring.peekFirst();
    if (first == null || first.seq() > seq + 1) {
      return null;
    }
    List<RingFrame> out = new ArrayList<>((int) Math.min(lastSeq - seq, ring.size()));
    for (RingFrame f : ring) {
      if (f.seq() > seq) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * The estimated heap of this task: its state ({@link StateSize}), its ring of frames and its
   * remembered replies. Re-estimated only when the seq moved (O(containers + ring), not O(points)).
   * Called on the partition thread only.
   */
  long footprint() {
    if (footprintSeq != lastSeq) {
      long bytes = 64 + StateSize.of(state);
      for (RingFrame f : ring) {
        bytes += 64 + f.visdom().length + (f.compact() == null ? 0 : f.compact().length);
      }
      for (Done d : recent.values()) {
        bytes += 128 + (d.reply() == null ? 0 : d.reply().length());
      }
      footprintBytes = bytes;
      footprintSeq = lastSeq;
    }
    return footprintBytes;
  }

  /** Applies a numbered frame to the state, as the embedded store replays its log. */
  void applyFrame(RingFrame frame) {
    ObjectNode message = FrameEnvelope.strip((ObjectNode) WireJson.parse(frame.visdom()));
    FrameApplier.apply(state, message, frame.env());
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(lastSeq);
    TreeCodec.write(out, state.toJson());
    out.writeInt(ring.size());
    for (RingFrame f : ring) {
      f.write(out);
    }
    out.writeInt(recent.size());
    for (Map.Entry<String, Done> e : recent.entrySet()) {
      out.writeString(e.getKey());
      out.writeLong(e.getValue().firstSeq());
      out.writeLong(e.getValue().lastSeq());
      out.writeString(e.getValue().reply());
      out.writeBoolean(e.getValue().json());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    lastSeq = in.readLong();
    state = TaskState.fromJson(TreeCodec.read(in));
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      ring.addLast(RingFrame.read(in));
    }
    int r = in.readInt();
    for (int i = 0; i < r; i++) {
      recent.put(
          in.readString(),
          new Done(in.readLong(), in.readLong(), in.readString(), in.readBoolean()));
    }
  }

  @Override
  public String toString() {
    return "StoredTask{epoch=" + epoch + ", lastSeq=" + lastSeq + ", ring=" + ring.size() + "}";
  }
}
