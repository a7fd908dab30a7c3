package io.vizrelay.common.store.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapLoaderLifecycleSupport;
import com.hazelcast.map.MapStore;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.pg.PgStreamWriter;
import io.vizrelay.common.store.pg.PgStreams;
import io.vizrelay.common.store.pg.PgUnavailableException;
import io.vizrelay.common.store.pg.StreamWrite;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL behind the task map ({@link ClusterTaskStore#MAP}): Hazelcast's write-through {@code
 * MapStore} and {@code MapLoader} hooks, on the task's partition owner, serially with every other
 * operation of the task.
 *
 * <ul>
 *   <li><b>store</b> (after an entry processor set the task): the frames the operation numbered,
 *       and every {@code snapshotFrames} frames a snapshot, go to the member's group-commit writer;
 *       the operation (and so the ingest reply) completes only once they are committed. Frames are
 *       written by the partition owner in seq order and each write must start where PostgreSQL's
 *       stream ends, so PostgreSQL never holds a hole.
 *   <li><b>a failed write poisons the task</b>: the operation fails (503, nothing acknowledged),
 *       the in-memory task, which already holds the refused frames, accepts no further write and is
 *       evicted from the grid; the next operation loads it back from PostgreSQL, at the last
 *       committed seq. A refused request's frames are therefore never stored later behind the
 *       client's back, and its retry is not a duplicate.
 *   <li><b>load</b> (an operation on a task not in the grid: after a full-cluster restart, or after
 *       eviction): the latest snapshot plus the frames after it, replayed; the ring is refilled
 *       with the last retained frames ({@code VIZRELAY_RETAIN_FRAMES}), so a browser resuming
 *       within them gets exactly what it missed.
 *   <li><b>delete</b>: the whole stream.
 * </ul>
 *
 * Start-up loads no task ({@link #loadAllKeys} is empty): tasks come back on first access.
 *
 * <p>With {@code VIZRELAY_PG_COMMIT=async} ({@code maxLagMs} > 0) <b>store</b> hands the frames to
 * the writer behind ({@link PgStreamWriter#writeBehind}) and returns: the operation completes on
 * the in-grid backup, and a failed commit is retried, never poisons. A member whose oldest write
 * behind is {@code maxLagMs} old refuses new applies before they are applied ({@link WriteGate}:
 * 503). A member that does not know where PostgreSQL's stream ends (a task it took over) writes its
 * whole ring plus a snapshot, so no read of PostgreSQL happens on the partition thread.
 */
public final class TaskMapStore implements MapStore<String, StoredTask>, MapLoaderLifecycleSupport {
  private static final Logger LOG = LoggerFactory.getLogger(TaskMapStore.class);

  /** {@link StoredTask#pgSeq}: not known on this member yet (ask PostgreSQL). */
  static final long UNKNOWN = -1;

  /**
   * {@link StoredTask#pgSeq}: a write failed; the task must be reloaded before it takes another.
   */
  static final long POISONED = -2;

  private final PgStreamWriter writer;
  private final PgStreams streams;
  private final Retention retention;
  private final int snapshotFrames;
  private final long writeTimeoutMs;

  /** {@code VIZRELAY_PG_COMMIT=async}: the lag bound in ms; 0 = sync. */
  private final long maxLagMs;

  /** Idle eviction of the grid's tasks (null: none), started with the map on this member. */
  private final HotConfig hot;

  private GridEviction eviction;

  /** Loads and evictions of this member, for the hot-state meters. */
  private final GridResidency residency;

  private volatile HazelcastInstance hazelcast;
  private volatile String mapName = ClusterTaskStore.MAP;

  public TaskMapStore(
      PgStreamWriter writer,
      PgStreams streams,
      VizConfig config,
      int snapshotFrames,
      long writeTimeoutMs) {
    this(writer, streams, config, snapshotFrames, writeTimeoutMs, 0, null, new GridResidency());
  }

  /** As above, writing behind with a lag bound of {@code maxLagMs} when it is above 0. */
  public TaskMapStore(
      PgStreamWriter writer,
      PgStreams streams,
      VizConfig config,
      int snapshotFrames,
      long writeTimeoutMs,
      long maxLagMs,
      HotConfig hot,
      GridResidency residency) {
    this.residency = residency;
    this.maxLagMs = maxLagMs;
    this.hot = hot;
    this.writer = writer;
    this.streams = streams;
    this.retention = Retention.of(config.retainFrames(), config.retainTime().toMillis());
    this.snapshotFrames = snapshotFrames;
    this.writeTimeoutMs = writeTimeoutMs;
  }

  @Override
  public void init(HazelcastInstance hazelcast, Properties properties, String mapName) {
    this.hazelcast = hazelcast;
    this.mapName = mapName;
    if (maxLagMs > 0) {
      WriteGate.install(hazelcast, this::refusal);
    }
    if (hot != null) {
      eviction = GridEviction.start(hazelcast, hot, maxLagMs > 0, writer::pending, residency);
    }
  }

  /** Why new applies are refused (write-behind lag at its bound), or null. */
  private String refusal() {
    long lag = writer.lagMillis();
    return lag < maxLagMs
        ? null
        : "PostgreSQL is "
            + lag / 1000
            + " s behind (VIZRELAY_PG_MAX_LAG_SECONDS="
            + maxLagMs / 1000
            + "); retry";
  }

  @Override
  public void destroy() {
    if (eviction != null) {
      eviction.close();
    }
  }

  @Override
  public void store(String taskId, StoredTask task) {
    if (maxLagMs > 0) {
      storeBehind(taskId, task);
      return;
    }
    if (task.pgSeq == POISONED) {
      evictLater(taskId);
      throw new PgUnavailableException(
          "task " + taskId + " is being reloaded from PostgreSQL after a failed write; retry");
    }
    long known = task.pgSeq;
    if (known == UNKNOWN) {
      PgStreams.Head head = streams.head(taskId);
      known =
          head != null && head.epoch().equals(task.epoch)
              ? Math.min(head.lastSeq(), task.lastSeq)
              : 0;
    }
    if (known == task.lastSeq && task.pgSeq != UNKNOWN) {
      return;
    }
    StreamWrite write;
    try {
      write = newWrite(taskId, task, known);
    } catch (IllegalStateException gap) {
      poison(taskId, task);
      throw new PgUnavailableException(gap.getMessage());
    }
    try {
      await(writer.write(write));
      task.pgSeq = task.lastSeq;
    } catch (RuntimeException e) {
      poison(taskId, task);
      throw e;
    }
  }

  /**
   * The frames of {@code task} after {@code known}, from its ring; a snapshot when a multiple of N
   * is crossed.
   */
  private StreamWrite newWrite(String taskId, StoredTask task, long known) {
    List<StreamWrite.Row> rows = new ArrayList<>();
    for (RingFrame f : task.ring) {
      if (f.seq() > known) {
        rows.add(new StreamWrite.Row(f.seq(), f.env(), f.atMs(), f.visdom(), f.compact()));
      }
    }
    if (task.lastSeq > known && (rows.isEmpty() || rows.get(0).seq() != known + 1)) {
      throw new IllegalStateException(
          "task " + taskId + ": frames after " + known + " are no longer in memory");
    }
    byte[] snapshot =
        known / snapshotFrames != task.lastSeq / snapshotFrames
            ? WireJson.bytes(task.state.toJson())
            : null;
    return new StreamWrite(taskId, task.epoch, known, task.lastSeq, rows, snapshot);
  }

  /**
   * Write-behind: the frames after what this member handed over last (or its whole ring and a
   * snapshot when it does not know), queued; never blocks, never fails the operation.
   */
  private void storeBehind(String taskId, StoredTask task) {
    if (task.pgSeq == task.lastSeq) {
      return;
    }
    long known = task.pgSeq;
    List<StreamWrite.Row> rows = known < 0 ? List.of() : rowsAfter(task, known);
    boolean whole =
        known < 0 || (task.lastSeq > known && (rows.isEmpty() || rows.get(0).seq() != known + 1));
    if (whole) {
      known = task.ring.isEmpty() ? task.lastSeq : task.ring.peekFirst().seq() - 1;
      rows = rowsAfter(task, known);
    }
    byte[] snapshot =
        whole || known / snapshotFrames != task.lastSeq / snapshotFrames
            ? WireJson.bytes(task.state.toJson())
            : null;
    writer
        .writeBehind(new StreamWrite(taskId, task.epoch, known, task.lastSeq, rows, snapshot))
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                LOG.warn("write behind of task {} not stored: {}", taskId, e.toString());
              }
            });
    task.pgSeq = task.lastSeq;
  }

  private static List<StreamWrite.Row> rowsAfter(StoredTask task, long known) {
    List<StreamWrite.Row> rows = new ArrayList<>();
    for (RingFrame f : task.ring) {
      if (f.seq() > known) {
        rows.add(new StreamWrite.Row(f.seq(), f.env(), f.atMs(), f.visdom(), f.compact()));
      }
    }
    return rows;
  }

  private void await(CompletableFuture<Void> commit) {
    try {
      commit.get(writeTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new PgUnavailableException("stream write", e.getCause());
    } catch (TimeoutException e) {
      throw new PgUnavailableException("stream write", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PgUnavailableException("stream write", e);
    }
  }

  private void poison(String taskId, StoredTask task) {
    task.pgSeq = POISONED;
    evictLater(taskId);
  }

  /**
   * Drops the task from the grid (not from PostgreSQL) off the partition thread: the next access
   * reloads it.
   */
  private void evictLater(String taskId) {
    HazelcastInstance hz = hazelcast;
    if (hz != null) {
      CompletableFuture.runAsync(
          () -> {
            try {
              hz.getMap(mapName).evict(taskId);
            } catch (RuntimeException e) {
              LOG.warn("could not evict task {} for reload: {}", taskId, e.toString());
            }
          });
    }
  }

  @Override
  public void storeAll(Map<String, StoredTask> tasks) {
    tasks.forEach(this::store);
  }

  @Override
  public void delete(String taskId) {
    awaitNoWrite(taskId); // a write behind landing after the delete would bring the task back
    streams.delete(taskId);
  }

  /** Waits (the write timeout at most, then 503) until no write of {@code taskId} is pending. */
  private void awaitNoWrite(String taskId) {
    long deadline = System.currentTimeMillis() + writeTimeoutMs;
    while (writer.pending(taskId)) {
      if (System.currentTimeMillis() > deadline) {
        throw new PgUnavailableException(
            "task " + taskId + " still has writes on their way to PostgreSQL; retry");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PgUnavailableException("delete", e);
      }
    }
  }

  @Override
  public void deleteAll(Collection<String> taskIds) {
    taskIds.forEach(this::delete);
  }

  /**
   * A task not in the grid, from PostgreSQL: the latest snapshot plus the frames after it,
   * replayed, and the ring refilled with the last {@link Retention#frames()} stored frames (those
   * up to the snapshot are not replayed, only kept), so a browser resuming with {@code since}
   * across an eviction or a full-cluster restart gets exactly the frames it missed.
   */
  @Override
  public StoredTask load(String taskId) {
    awaitNoWrite(taskId); // evicted with writes still on their way behind: load what they bring
    long start = System.nanoTime();
    PgStreams.Loaded stored = streams.load(taskId, retention.frames());
    if (stored == null) {
      return null;
    }
    StoredTask task = new StoredTask(stored.head().epoch());
    if (stored.snapshot() != null) {
      task.state = TaskState.fromJson(WireJson.parse(stored.snapshot()));
    }
    for (StreamWrite.Row r : stored.retained()) {
      task.ring.addLast(frame(r));
    }
    task.lastSeq = stored.snapshotSeq();
    for (StreamWrite.Row r : stored.frames()) {
      RingFrame f = frame(r);
      task.applyFrame(f);
      task.append(f, retention);
    }
    task.pgSeq = task.lastSeq;
    long nanos = System.nanoTime() - start;
    if (owns(taskId)) {
      residency.loaded(nanos);
    }
    LOG.debug(
        "loaded task {} from PostgreSQL at {}:{} ({} frames after the snapshot, ring {}) in {} ms",
        taskId,
        task.epoch,
        task.lastSeq,
        stored.frames().size(),
        task.ring.size(),
        nanos / 1_000_000);
    return task;
  }

  /**
   * Whether this member owns {@code taskId}'s partition. A backup replica that lacks the task (the
   * first replay after it was created or loaded on its owner) loads its copy through this loader
   * too; the meters count the owner's loads only, one per task coming back.
   */
  private boolean owns(String taskId) {
    HazelcastInstance hz = hazelcast;
    return hz != null
        && hz.getPartitionService().getPartition(taskId).getOwner() != null
        && hz.getPartitionService().getPartition(taskId).getOwner().localMember();
  }

  private static RingFrame frame(StreamWrite.Row r) {
    return new RingFrame(r.seq(), r.env(), r.visdom(), r.compact(), r.atMs());
  }

  @Override
  public Map<String, StoredTask> loadAll(Collection<String> taskIds) {
    Map<String, StoredTask> out = new HashMap<>();
    for (String id : taskIds) {
      StoredTask t = load(id);
      if (t != null) {
        out.put(id, t);
      }
    }
    return out;
  }

  /** Nothing is loaded at start: a task comes back into the grid on its first access. */
  @Override
  public Iterable<String> loadAllKeys() {
    return List.of();
  }
}
