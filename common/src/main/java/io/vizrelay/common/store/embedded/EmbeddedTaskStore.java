package io.vizrelay.common.store.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.FrameCodec;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.visdom.FrameApplier;
import io.vizrelay.common.visdom.Limits;
import io.vizrelay.common.visdom.Outcome;
import io.vizrelay.common.visdom.TaskState;
import io.vizrelay.common.visdom.VisdomCommand;
import io.vizrelay.common.visdom.VisdomEngine;
import io.vizrelay.common.visdom.IdSource;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded tier of {@link TaskStore}: state in memory, every frame in the SQLite log before
 * the apply completes, snapshots to bound restart time (docs/ARCHITECTURE.md).
 *
 * <p>Threading: each task belongs to one of {@link #SHARDS} single-thread shards, which run the
 * engine (serial per task, parallel across shards, never on an event loop). The log has its own
 * writer thread. Futures complete back on the caller's Vert.x context.
 */
public final class EmbeddedTaskStore implements TaskStore {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTaskStore.class);
  /** Engine threads; tasks are spread over them by hash. */
  static final int SHARDS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private final VizConfig config;
  private final SqliteLog log;
  private final VisdomEngine engine;
  private final ExecutorService[] shards = new ExecutorService[SHARDS];
  private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> daemon(r, "vizrelay-log-reader"));
  private final Map<String, TaskSlot> tasks = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  private EmbeddedTaskStore(VizConfig config, SqliteLog log) {
    this.config = config;
    this.log = log;
    this.engine = new VisdomEngine(IdSource.RANDOM, new Limits(config.maxWindowsPerTask(), config.maxPointsPerWindow()));
    for (int i = 0; i < SHARDS; i++) {
      String name = "vizrelay-shard-" + i;
      shards[i] = Executors.newSingleThreadExecutor(r -> daemon(r, name));
    }
  }

  /** Opens the store in {@code config.dataDir()}, replaying snapshots and logs (off the event loop). */
  public static Future<EmbeddedTaskStore> open(Vertx vertx, VizConfig config) {
    return vertx.executeBlocking(() -> openBlocking(config), false);
  }

  /** Opens the store on the calling thread (tests, tools). */
  public static EmbeddedTaskStore openBlocking(VizConfig config) throws Exception {
    long start = System.nanoTime();
    EmbeddedTaskStore store = new EmbeddedTaskStore(config, new SqliteLog(config.dataDir(), config.fsync()));
    int frames = store.recover();
    LOG.info("store opened: dir={} tasks={} framesReplayed={} ms={}", config.dataDir(), store.tasks.size(), frames,
        (System.nanoTime() - start) / 1_000_000);
    return store;
  }

  private int recover() throws Exception {
    int replayed = 0;
    for (SqliteLog.StoredTask stored : log.loadTasks()) {
      TaskSlot slot = rebuild(stored);
      replayed += (int) (slot.lastSeq - stored.snapshotSeq());
      tasks.put(stored.taskId(), slot);
    }
    return replayed;
  }

  /** A task's state from its snapshot plus the frames logged after it. */
  private TaskSlot rebuild(SqliteLog.StoredTask stored) throws Exception {
    TaskState state = stored.snapshot() == null
        ? new TaskState()
        : TaskState.fromJson(Json.parseTrusted(stored.snapshot()));
    long seq = stored.snapshotSeq();
    for (SqliteLog.StoredFrame f : log.readFrames(stored.taskId(), seq)) {
      ObjectNode message = (ObjectNode) Json.parseTrusted(f.frame());
      FrameApplier.apply(state, stripEnvelope(message), f.env());
      seq = f.seq();
    }
    TaskSlot slot = new TaskSlot(stored.taskId(), stored.epoch(), state, seq);
    slot.lastSnapshotBytes = stored.snapshot() == null ? 0 : stored.snapshot().length;
    return slot;
  }

  /**
   * After a failed commit the task's memory is ahead of its log: reload it from the log (on its
   * shard, after everything queued so far), so memory never holds what the disk does not.
   */
  private void reloadAfterFailure(String taskId) {
    log.barrier().whenComplete((v, e) -> shard(taskId).execute(() -> {
      try {
        SqliteLog.StoredTask stored = log.loadTask(taskId);
        if (stored == null) {
          tasks.remove(taskId);
        } else {
          tasks.put(taskId, rebuild(stored));
        }
      } catch (Exception reloadFailed) {
        LOG.error("task reload after a failed commit failed: task_id={}", taskId, reloadFailed);
        tasks.remove(taskId);
      }
    }));
  }

  /** Removes what {@link FrameCodec} added, leaving the visdom message. */
  private static ObjectNode stripEnvelope(ObjectNode message) {
    message.remove("seq");
    if ("window".equals(message.path("command").asText())) {
      message.remove("env");
    }
    return message;
  }

  @Override
  public Future<Applied> apply(String taskId, VisdomCommand command) {
    return onShard(taskId, () -> applyOnShard(taskId, command));
  }

  private CompletionStage<Applied> applyOnShard(String taskId, VisdomCommand command) {
    TaskSlot slot = tasks.get(taskId);
    boolean created = slot == null;
    if (created) {
      slot = new TaskSlot(taskId, newEpoch(), new TaskState(), 0);
    }
    Outcome outcome = engine.apply(slot.state, command);
    if (created) {
      tasks.put(taskId, slot);
      log.submit(LogOps.createTask(taskId, slot.epoch, System.currentTimeMillis()));
    }
    List<Delta> deltas = number(slot, outcome);
    Applied applied = new Applied(outcome.reply(), deltas);
    if (deltas.isEmpty()) {
      return created ? log.barrier().thenApply(v -> applied) : CompletableFuture.completedFuture(applied);
    }
    TaskSlot s = slot;
    long last = slot.lastSeq;
    CompletableFuture<Void> durable = log.submit(LogOps.appendFrames(taskId, deltas, System.currentTimeMillis()));
    maybeSnapshot(slot);
    return durable.handle((v, error) -> {
      if (error != null) {
        reloadAfterFailure(taskId);
        throw new ApiException(ErrorCode.UNAVAILABLE, "the event could not be persisted; retry");
      }
      s.advanceCommitted(last);
      return applied;
    });
  }

  private List<Delta> number(TaskSlot slot, Outcome outcome) {
    if (outcome.frames().isEmpty()) {
      return List.of();
    }
    List<Delta> deltas = new ArrayList<>(outcome.frames().size());
    for (var frame : outcome.frames()) {
      Delta delta = FrameCodec.encode(slot.taskId, slot.epoch, ++slot.lastSeq, frame);
      slot.remember(delta);
      deltas.add(delta);
    }
    return deltas;
  }

  private void maybeSnapshot(TaskSlot slot) {
    if (slot.bytesSinceSnapshot < Math.max(config.snapshotBytes(), slot.lastSnapshotBytes)) {
      return;
    }
    byte[] state = Json.bytes(slot.state.toJson());
    long trimUpTo = Math.max(0, slot.lastSeq - config.retainFrames());
    long trimBefore = System.currentTimeMillis() - config.retainTime().toMillis();
    log.submit(LogOps.snapshot(slot.taskId, slot.lastSeq, state, trimUpTo, trimBefore));
    slot.bytesSinceSnapshot = 0;
    slot.lastSnapshotBytes = state.length;
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env) {
    return onShard(taskId, () -> {
      TaskSlot slot = tasks.computeIfAbsent(taskId, id -> new TaskSlot(id, newEpoch(), new TaskState(), 0));
      Snapshot snapshot = FrameCodec.snapshot(slot.taskId, slot.epoch, slot.lastSeq, slot.state, env, slot.windowBytes);
      slot.windowBytes.endSnapshot(slot.state.windowCount());
      return whenDurable(slot, snapshot.seq()).thenApply(v -> snapshot);
    });
  }

  @Override
  public Future<Since> since(String taskId, String epoch, long seq) {
    return onShard(taskId, () -> {
      TaskSlot slot = tasks.get(taskId);
      if (slot == null || !slot.epoch.equals(epoch) || seq > slot.lastSeq || seq < 0) {
        return CompletableFuture.completedFuture(Since.GONE);
      }
      List<Delta> recent = slot.fromRing(seq);
      long upTo = slot.lastSeq;
      if (recent != null) {
        return whenDurable(slot, upTo).thenApply(v -> Since.of(recent));
      }
      String ep = slot.epoch;
      return whenDurable(slot, upTo).thenCompose(v -> readSince(taskId, ep, seq, upTo));
    });
  }

  private CompletableFuture<Since> readSince(String taskId, String epoch, long seq, long upTo) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        List<Delta> out = new ArrayList<>();
        long expect = seq + 1;
        for (SqliteLog.StoredFrame f : log.readFrames(taskId, seq)) {
          if (f.seq() > upTo) {
            break;
          }
          if (f.seq() != expect) {
            return Since.GONE;
          }
          out.add(FrameCodec.decodeStored(taskId, epoch, f.seq(), f.env(), f.frame()));
          expect++;
        }
        return expect == upTo + 1 ? Since.of(out) : Since.GONE;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, reader);
  }

  private CompletableFuture<Void> whenDurable(TaskSlot slot, long seq) {
    return slot.committedSeq >= seq ? CompletableFuture.completedFuture(null) : log.barrier();
  }

  @Override
  public Future<TaskStats> stats(String taskId) {
    return onShard(taskId, () -> {
      TaskSlot slot = tasks.get(taskId);
      TaskStats stats = slot == null ? null
          : new TaskStats(taskId, slot.epoch, slot.lastSeq, slot.state.windowCount(), slot.state.envIds());
      return CompletableFuture.completedFuture(stats);
    });
  }

  @Override
  public Future<List<String>> taskIds() {
    return Future.succeededFuture(List.copyOf(tasks.keySet()));
  }

  @Override
  public Future<Boolean> delete(String taskId) {
    return onShard(taskId, () -> {
      TaskSlot removed = tasks.remove(taskId);
      if (removed == null) {
        return CompletableFuture.completedFuture(false);
      }
      return log.submit(LogOps.deleteTask(taskId)).thenApply(v -> true);
    });
  }

  @Override
  public Future<Void> close() {
    for (ExecutorService shard : shards) {
      shard.shutdown();
    }
    reader.shutdown();
    try {
      log.close();
      return Future.succeededFuture();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private String newEpoch() {
    return Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
  }

  private ExecutorService shard(String taskId) {
    return shards[Math.floorMod(taskId.hashCode(), SHARDS)];
  }

  /** Runs work on the task's shard and completes the returned future on the caller's context. */
  private <T> Future<T> onShard(String taskId, ShardWork<T> work) {
    Context context = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    shard(taskId).execute(() -> {
      CompletionStage<T> stage;
      try {
        stage = work.run();
      } catch (Throwable t) {
        stage = CompletableFuture.failedFuture(t);
      }
      stage.whenComplete((value, error) -> completeOn(context, promise, value, error));
    });
    return promise.future();
  }

  private static <T> void completeOn(Context context, Promise<T> promise, T value, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
        ? ce.getCause() : error;
    Runnable complete = () -> {
      if (cause != null) {
        promise.fail(cause);
      } else {
        promise.complete(value);
      }
    };
    if (context != null) {
      context.runOnContext(v -> complete.run());
    } else {
      complete.run();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @FunctionalInterface
  private interface ShardWork<T> {
    CompletionStage<T> run();
  }
}
