package io.vizrelay.common.store.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Epochs;
import io.vizrelay.common.store.FrameCodec;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TracePoints;
import io.vizrelay.common.store.WindowBytesCache;
import io.vizrelay.common.visdom.Frame;
import io.vizrelay.common.visdom.IdSource;
import io.vizrelay.common.visdom.Limits;
import io.vizrelay.common.visdom.Outcome;
import io.vizrelay.common.visdom.VisdomEngine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry processors of {@link ClusterTaskStore}. Each runs on the task's partition owner,
 * serially with every other processor of that task. The ones that change a task hand Hazelcast a
 * backup processor ({@link Replay}) that repeats the <em>resulting frames</em> on the synchronous
 * backup through {@code FrameApplier}: deterministic (the engine's random ids are not drawn again)
 * and O(delta) on the wire.
 */
public final class Processors {
  private static final Logger LOG = LoggerFactory.getLogger(Processors.class);

  private Processors() {}

  static String newEpoch() {
    return Epochs.next();
  }

  /**
   * A diverged backup replica that became the primary before its resync arrived (the primary was
   * lost meanwhile): its frames no longer match its state, so its stream starts over in a new epoch
   * from the state it has (browsers re-sync with a snapshot flagged {@code recovered:false});
   * counted with the divergences that caused it.
   */
  static StoredTask restartDiverged(String taskId, StoredTask task) {
    LOG.error(
        "task {} was promoted from a diverged backup replica at seq {}: its stream starts over in a new epoch",
        taskId,
        task.lastSeq);
    return task.restarted(newEpoch());
  }

  /** Runs a visdom command through the engine, numbers its frames, keeps them in the ring. */
  public static final class Apply
      implements EntryProcessor<String, StoredTask, Results.Apply>,
          DataSerializable,
          HazelcastInstanceAware {
    private String requestId;
    private byte[] command;
    private int maxWindows;
    private long maxPoints;
    private Retention retention;
    private transient EntryProcessor<String, StoredTask, Results.Apply> backup;
    private transient HazelcastInstance member;

    public Apply() {}

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
      this.member = member;
    }

    Apply(String requestId, byte[] command, Limits limits, Retention retention) {
      this.requestId = requestId;
      this.command = command;
      this.maxWindows = limits.maxWindowsPerTask();
      this.maxPoints = limits.maxPointsPerWindow();
      this.retention = retention;
    }

    @Override
    public Results.Apply process(Map.Entry<String, StoredTask> entry) {
      backup = null;
      StoredTask task = StoredTask.used(entry.getValue());
      if (task != null) {
        StoredTask.Done done = task.recent.get(requestId);
        if (done != null) {
          return retried(task, done);
        }
      }
      String refused = WriteGate.refusal(member);
      if (refused != null) {
        return Results.Apply.error("UNAVAILABLE", refused); // nothing applied
      }
      boolean restarted = task != null && task.diverged;
      if (restarted) {
        task = restartDiverged(entry.getKey(), task);
      }
      boolean created = task == null;
      if (created) {
        task = new StoredTask(newEpoch());
      }
      Outcome outcome;
      try {
        outcome =
            new VisdomEngine(IdSource.RANDOM, new Limits(maxWindows, maxPoints))
                .apply(task.state, CommandCodec.decode(command));
      } catch (ApiException e) {
        return Results.Apply.error(e.code().name(), e.getMessage());
      }
      long now = System.currentTimeMillis();
      List<RingFrame> frames = new ArrayList<>(outcome.frames().size());
      long first = task.lastSeq + 1;
      for (Frame f : outcome.frames()) {
        Delta d = FrameCodec.encode(entry.getKey(), task.epoch, task.lastSeq + 1, f);
        RingFrame rf = RingFrame.of(d, now);
        task.append(rf, retention);
        frames.add(rf);
      }
      if (created || restarted || !frames.isEmpty()) {
        StoredTask.Done done =
            new StoredTask.Done(
                first, task.lastSeq, outcome.reply().body(), outcome.reply().json());
        task.remember(requestId, done);
        entry.setValue(task);
        backup =
            restarted
                ? new Overwrite<>(task)
                : new Replay<>(task.epoch, requestId, done, frames, retention);
      }
      return Results.Apply.ok(task.epoch, outcome.reply().body(), outcome.reply().json(), frames);
    }

    /**
     * A retried invocation of a request already applied: the same answer, nothing applied twice.
     */
    private static Results.Apply retried(StoredTask task, StoredTask.Done done) {
      List<RingFrame> frames = new ArrayList<>();
      for (RingFrame f : task.ring) {
        if (f.seq() >= done.firstSeq() && f.seq() <= done.lastSeq()) {
          frames.add(f);
        }
      }
      return Results.Apply.ok(task.epoch, done.reply(), done.json(), frames);
    }

    @Override
    public EntryProcessor<String, StoredTask, Results.Apply> getBackupProcessor() {
      return backup;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(requestId);
      out.writeByteArray(command);
      out.writeInt(maxWindows);
      out.writeLong(maxPoints);
      retention.write(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      requestId = in.readString();
      command = in.readByteArray();
      maxWindows = in.readInt();
      maxPoints = in.readLong();
      retention = Retention.read(in);
    }
  }

  /**
   * The backup side of {@link Apply} and {@link Snap}: creates the task with the primary's epoch
   * when missing and applies the primary's numbered frames.
   */
  public static final class Replay<R>
      implements EntryProcessor<String, StoredTask, R>, DataSerializable, HazelcastInstanceAware {
    private String epoch;
    private String requestId;
    private StoredTask.Done done;
    private List<RingFrame> frames = List.of();
    private Retention retention;
    private transient HazelcastInstance member;

    public Replay() {}

    Replay(
        String epoch,
        String requestId,
        StoredTask.Done done,
        List<RingFrame> frames,
        Retention retention) {
      this.epoch = epoch;
      this.requestId = requestId;
      this.done = done;
      this.frames = frames;
      this.retention = retention;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
      this.member = member;
    }

    /**
     * Applies the frames in order. A replica that cannot (a frame fails, or the first new frame is
     * not the next seq) does not pretend to be in step: it stops applying, is marked diverged, and
     * asks its primary for the whole state ({@link ReplicaRepair}); until that arrives, replays
     * leave it alone.
     */
    @Override
    public R process(Map.Entry<String, StoredTask> entry) {
      StoredTask task = entry.getValue();
      if (task != null && task.diverged) {
        return null;
      }
      if (task == null || !epoch.equals(task.epoch)) {
        task = new StoredTask(epoch);
      }
      for (RingFrame f : frames) {
        if (f.seq() <= task.lastSeq) {
          continue;
        }
        if (!applies(entry.getKey(), task, f)) {
          diverge(entry, task);
          return null;
        }
        task.append(f, retention);
      }
      if (requestId != null && done != null) {
        task.remember(requestId, done);
      }
      entry.setValue(task);
      return null;
    }

    private static boolean applies(String taskId, StoredTask task, RingFrame f) {
      if (f.seq() != task.lastSeq + 1) {
        LOG.error(
            "backup replica of task {} is at seq {} but got frame seq={}",
            taskId,
            task.lastSeq,
            f.seq());
        return false;
      }
      try {
        task.applyFrame(f);
        return true;
      } catch (RuntimeException e) {
        LOG.error("backup replica of task {} could not apply frame seq={}", taskId, f.seq(), e);
        return false;
      }
    }

    private void diverge(Map.Entry<String, StoredTask> entry, StoredTask task) {
      task.diverged = true;
      entry.setValue(task);
      if (member != null) {
        ReplicaRepair.of(member).diverged(entry.getKey());
      } else {
        LOG.error(
            "backup replica of task {} diverged; no member to resynchronize it from",
            entry.getKey());
      }
    }

    @Override
    public EntryProcessor<String, StoredTask, R> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(epoch);
      out.writeString(requestId);
      out.writeBoolean(done != null);
      if (done != null) {
        out.writeLong(done.firstSeq());
        out.writeLong(done.lastSeq());
        out.writeString(done.reply());
        out.writeBoolean(done.json());
      }
      Results.writeFrames(out, frames);
      retention.write(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      epoch = in.readString();
      requestId = in.readString();
      if (in.readBoolean()) {
        done = new StoredTask.Done(in.readLong(), in.readLong(), in.readString(), in.readBoolean());
      }
      frames = Results.readFrames(in);
      retention = Retention.read(in);
    }
  }

  /**
   * Asked by a backup replica that diverged ({@link ReplicaRepair}): changes nothing on the primary
   * and hands every backup the primary's whole task ({@link Overwrite}). O(state), once per
   * divergence.
   */
  public static final class Resync
      implements EntryProcessor<String, StoredTask, Void>, DataSerializable {
    private transient Overwrite<Void> backup;

    public Resync() {}

    @Override
    public Void process(Map.Entry<String, StoredTask> entry) {
      backup = new Overwrite<>(entry.getValue());
      return null;
    }

    @Override
    public EntryProcessor<String, StoredTask, Void> getBackupProcessor() {
      return backup;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }

  /**
   * The backup side of {@link Resync}: the replica becomes the primary's task (or goes, when the
   * primary has none).
   */
  public static final class Overwrite<R>
      implements EntryProcessor<String, StoredTask, R>, DataSerializable {
    private StoredTask task;

    public Overwrite() {}

    Overwrite(StoredTask task) {
      this.task = task;
    }

    @Override
    public R process(Map.Entry<String, StoredTask> entry) {
      entry.setValue(task);
      return null;
    }

    @Override
    public EntryProcessor<String, StoredTask, R> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(task != null);
      if (task != null) {
        task.writeData(out);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      if (in.readBoolean()) {
        task = new StoredTask();
        task.readData(in);
      }
    }
  }

  /**
   * The replay of one env (or {@code *}); creates an empty task when missing, as the embedded store
   * does.
   */
  public static final class Snap
      implements EntryProcessor<String, StoredTask, Results.Snap>, DataSerializable {
    private String env;
    private Retention retention;
    private int maxPoints;
    private transient EntryProcessor<String, StoredTask, Results.Snap> backup;

    public Snap() {}

    Snap(String env, Retention retention, int maxPoints) {
      this.env = env;
      this.retention = retention;
      this.maxPoints = maxPoints;
    }

    @Override
    public Results.Snap process(Map.Entry<String, StoredTask> entry) {
      backup = null;
      StoredTask task = StoredTask.used(entry.getValue());
      if (task != null && task.diverged) {
        task = restartDiverged(entry.getKey(), task);
        entry.setValue(task);
        backup = new Overwrite<>(task);
      }
      if (task == null) {
        task = new StoredTask(newEpoch());
        entry.setValue(task);
        backup = new Replay<>(task.epoch, null, null, List.of(), retention);
      }
      Snapshot s =
          FrameCodec.snapshot(
              entry.getKey(),
              task.epoch,
              task.lastSeq,
              task.state,
              env,
              WindowBytesCache.NONE,
              maxPoints);
      Results.Snap out = new Results.Snap();
      out.downsampled = s.downsampled();
      out.epoch = s.epoch();
      out.seq = s.seq();
      out.envs = s.envs();
      List<byte[]> frames = new ArrayList<>(s.frames().size());
      for (Buffer b : s.frames()) {
        frames.add(b.getBytes());
      }
      out.frames = frames;
      return out;
    }

    @Override
    public EntryProcessor<String, StoredTask, Results.Snap> getBackupProcessor() {
      return backup;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(env);
      retention.write(out);
      out.writeInt(maxPoints);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      env = in.readString();
      retention = Retention.read(in);
      maxPoints = in.readInt();
    }
  }

  /**
   * The points of one trace in an x range ({@link PointsQuery#answer}); an error for a task the
   * grid does not hold. Read-only.
   */
  public static final class Points
      implements EntryProcessor<String, StoredTask, Results.Points>, DataSerializable, ReadOnly {
    private PointsQuery query;

    public Points() {}

    Points(PointsQuery query) {
      this.query = query;
    }

    @Override
    public Results.Points process(Map.Entry<String, StoredTask> entry) {
      StoredTask task = entry.getValue();
      if (task == null) {
        return Results.Points.error(
            ErrorCode.TASK_NOT_FOUND.name(), "task " + entry.getKey() + " has no plots");
      }
      try {
        TracePoints answer = query.answer(task.state);
        return Results.Points.of(answer.downsampled(), answer.points(), answer.body());
      } catch (ApiException e) {
        return Results.Points.error(e.code().name(), e.getMessage());
      }
    }

    @Override
    public EntryProcessor<String, StoredTask, Results.Points> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(query.env());
      out.writeString(query.win());
      out.writeInt(query.trace());
      out.writeDouble(query.x0());
      out.writeDouble(query.x1());
      out.writeInt(query.maxPoints());
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      query =
          new PointsQuery(
              in.readString(),
              in.readString(),
              in.readInt(),
              in.readDouble(),
              in.readDouble(),
              in.readInt());
    }
  }

  /** The frames after {@code epoch:seq} from the ring, or gone. Read-only. */
  public static final class After
      implements EntryProcessor<String, StoredTask, Results.After>, DataSerializable, ReadOnly {
    private String epoch;
    private long seq;

    public After() {}

    After(String epoch, long seq) {
      this.epoch = epoch;
      this.seq = seq;
    }

    @Override
    public Results.After process(Map.Entry<String, StoredTask> entry) {
      StoredTask task = StoredTask.used(entry.getValue());
      if (task == null
          || task.diverged
          || !task.epoch.equals(epoch)
          || seq > task.lastSeq
          || seq < 0) {
        return new Results.After(true, List.of());
      }
      List<RingFrame> frames = task.after(seq);
      return frames == null ? new Results.After(true, List.of()) : new Results.After(false, frames);
    }

    @Override
    public EntryProcessor<String, StoredTask, Results.After> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(epoch);
      out.writeLong(seq);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      epoch = in.readString();
      seq = in.readLong();
    }
  }

  /** Summary figures, or null when the task does not exist. Read-only. */
  public static final class Stats
      implements EntryProcessor<String, StoredTask, Results.Stats>, DataSerializable, ReadOnly {
    public Stats() {}

    @Override
    public Results.Stats process(Map.Entry<String, StoredTask> entry) {
      StoredTask task = StoredTask.used(entry.getValue());
      if (task == null) {
        return null;
      }
      Results.Stats s = new Results.Stats();
      s.epoch = task.epoch;
      s.lastSeq = task.lastSeq;
      s.windows = task.state.windowCount();
      s.envs = task.state.envIds();
      return s;
    }

    @Override
    public EntryProcessor<String, StoredTask, Results.Stats> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }

  /** Removes a task; true when it existed. The backup removes it too. */
  public static final class Delete
      implements EntryProcessor<String, StoredTask, Boolean>, DataSerializable {
    private transient boolean existed;

    public Delete() {}

    @Override
    public Boolean process(Map.Entry<String, StoredTask> entry) {
      existed = entry.getValue() != null;
      if (existed) {
        entry.setValue(null);
      }
      return existed;
    }

    @Override
    public EntryProcessor<String, StoredTask, Boolean> getBackupProcessor() {
      return existed ? new Delete() : null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }
}
