package io.vizrelay.common.store.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.json.TreeCodec;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Epochs;
import io.vizrelay.common.store.FrameCodec;
import io.vizrelay.common.store.FrameEnvelope;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.StateSize;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.TracePoints;
import io.vizrelay.common.visdom.FrameApplier;
import io.vizrelay.common.visdom.IdSource;
import io.vizrelay.common.visdom.Limits;
import io.vizrelay.common.visdom.Outcome;
import io.vizrelay.common.visdom.TaskState;
import io.vizrelay.common.visdom.VisdomCommand;
import io.vizrelay.common.visdom.VisdomEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded tier of {@link TaskStore}: every frame in the SQLite log before the apply completes,
 * snapshots to bound load time, and in memory only the tasks in use (docs/ARCHITECTURE.md "Hot and
 * cold tasks").
 *
 * <p>A task is hot (state in memory) or cold (only its id and epoch). Opening the store lists the
 * stored tasks, all cold; any operation on a cold task first loads it from its last snapshot plus
 * the frames after it. {@link HotSet} unloads tasks that are idle or past the memory bound.
 *
 * <p>Threading: each task belongs to one of {@link #SHARDS} {@link Shard}s, which run the engine,
 * the loads and the unloads holding the shard (serial per task, parallel across shards): an
 * operation never sees a half-loaded task, and a load never races a write. Loads, unloads,
 * snapshots and reads run on the shard's thread, never on an event loop; an apply to a hot task
 * whose shard is idle runs on the caller's thread in the shard's place (the engine's work on one
 * command, which the caller's JSON parse of it already bounds). The log has its own writer thread.
 * Futures complete back on the caller's Vert.x context.
 */
public final class EmbeddedTaskStore implements TaskStore {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTaskStore.class);

  /**
   * Engine threads; tasks are spread over them by hash. Four per core: an event loop applies in a
   * shard's place only while no other thread holds or waits for that shard, so with one shard per
   * core two loops often met on one and every write of its tasks took the hop through the shard's
   * thread until its queue drained. The threads idle (parked) unless tasks load or snapshot.
   */
  static final int SHARDS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

  /**
   * An unload writes a snapshot first when at least this many bytes were logged since the last one.
   */
  static final long UNLOAD_SNAPSHOT_BYTES = 64 * 1024;

  private final VizConfig config;
  private final SqliteLog log;
  private final VisdomEngine engine;
  private final Shard[] shards = new Shard[SHARDS];
  private final ExecutorService reader =
      Executors.newSingleThreadExecutor(r -> daemon(r, "vizrelay-log-reader"));
  private final Map<String, TaskSlot> tasks = new ConcurrentHashMap<>();
  private final HotSet hot;
  private final java.util.concurrent.atomic.LongAdder inPlaceCount =
      new java.util.concurrent.atomic.LongAdder();
  private volatile boolean closed;

  private EmbeddedTaskStore(VizConfig config, HotConfig hotConfig, SqliteLog log, IdSource ids) {
    this.config = config;
    this.log = log;
    this.engine =
        new VisdomEngine(ids, new Limits(config.maxWindowsPerTask(), config.maxPointsPerWindow()));
    for (int i = 0; i < SHARDS; i++) {
      String name = "vizrelay-shard-" + i;
      shards[i] = new Shard(name);
    }
    this.hot = new HotSet(hotConfig, tasks, this::unloadLater, this::measureLater);
  }

  /**
   * Opens the store in {@code config.dataDir()} (off the event loop): lists the tasks, loads none.
   */
  public static Future<EmbeddedTaskStore> open(Vertx vertx, VizConfig config, HotConfig hot) {
    return vertx.executeBlocking(() -> openBlocking(config, hot), false);
  }

  public static Future<EmbeddedTaskStore> open(Vertx vertx, VizConfig config) {
    return open(vertx, config, HotConfig.defaults());
  }

  /** Opens the store on the calling thread (tests, tools). */
  public static EmbeddedTaskStore openBlocking(VizConfig config) throws Exception {
    return openBlocking(config, HotConfig.defaults());
  }

  public static EmbeddedTaskStore openBlocking(VizConfig config, HotConfig hot) throws Exception {
    return openBlocking(config, hot, IdSource.RANDOM);
  }

  /** With the engine's ids from {@code ids} (deterministic tests). */
  static EmbeddedTaskStore openBlocking(VizConfig config, HotConfig hot, IdSource ids)
      throws Exception {
    long start = System.nanoTime();
    EmbeddedTaskStore store =
        new EmbeddedTaskStore(
            config,
            hot,
            new SqliteLog(config.dataDir(), config.fsync(), config.journalTime()),
            ids);
    for (SqliteLog.TaskId id : store.log.listTasks()) {
      store.tasks.put(id.taskId(), TaskSlot.cold(id.taskId(), id.epoch()));
    }
    store.hot.start();
    LOG.info(
        "store opened: dir={} tasks={} framesReplayed=0 ms={} (tasks load on first use; hotIdle={}s hotMaxBytes={})",
        config.dataDir(),
        store.tasks.size(),
        (System.nanoTime() - start) / 1_000_000,
        hot.idle().toSeconds(),
        hot.maxBytes());
    return store;
  }

  /** Applies that ran on the caller's thread in their shard's place (tests, bench). */
  long inPlaceApplies() {
    return inPlaceCount.sum();
  }

  /** Loads, meters and unload figures of the hot state (metrics, {@code GET /api/tasks/{id}}). */
  public HotSet hot() {
    return hot;
  }

  /** Loads a cold task on its shard: its last snapshot plus the frames logged after it. */
  private void ensureHot(TaskSlot slot) throws Exception {
    if (slot.hot()) {
      return;
    }
    long start = System.nanoTime();
    if (slot.flushed != null) {
      try {
        slot.flushed.join();
      } catch (java.util.concurrent.CompletionException e) {
        slot.flushed = log.written(); // the next load waits again
        throw new ApiException(
            ErrorCode.UNAVAILABLE, "the task's log cannot be read back yet; retry");
      }
      slot.flushed = null;
    }
    SqliteLog.StoredTask stored = log.loadTask(slot.taskId);
    if (stored == null) {
      slot.state = new TaskState();
      slot.lastSeq = 0;
    } else {
      rebuild(slot, stored);
    }
    slot.committedSeq = slot.lastSeq;
    measure(slot);
    hot.loaded(slot, System.nanoTime() - start);
  }

  /** Fills a slot's state from its snapshot plus the frames logged after it. */
  private void rebuild(TaskSlot slot, SqliteLog.StoredTask stored) throws Exception {
    TaskState state =
        stored.snapshot() == null
            ? new TaskState()
            : TaskState.fromJson(
                TreeCodec.isTree(stored.snapshot())
                    ? TreeCodec.fromBytes(stored.snapshot())
                    : Json.parseTrusted(stored.snapshot()));
    long seq = stored.snapshotSeq();
    long replayed = 0;
    for (SqliteLog.StoredFrame f : log.readFrames(stored.taskId(), seq)) {
      ObjectNode message = (ObjectNode) Json.parseTrusted(f.frame());
      FrameApplier.apply(state, FrameEnvelope.strip(message), f.env());
      seq = f.seq();
      replayed += f.frame().length;
    }
    slot.state = state;
    slot.lastSeq = seq;
    slot.bytesSinceSnapshot = replayed;
    slot.lastSnapshotBytes = stored.snapshot() == null ? 0 : stored.snapshot().length;
  }

  /**
   * After a failed write the task's memory is ahead of its log: unload it (on its shard, after
   * everything queued so far), so the next operation reloads what the disk holds — once the
   * database holds everything journaled before it (a load fails while it cannot).
   */
  private void reloadAfterFailure(String taskId) {
    log.written()
        .whenComplete(
            (v, e) ->
                runOnShard(
                    taskId,
                    () -> {
                      TaskSlot slot = tasks.get(taskId);
                      if (slot != null && slot.hot()) {
                        slot.unload(log.written()); // a load waits for the database to hold it all
                        hot.unloaded(slot);
                      }
                    }));
  }

  /**
   * Applies on the calling thread in the shard's place when the task is hot and its shard idle (the
   * common case of a training job's appends: no hop to the shard and back), else on the shard.
   */
  @Override
  public Future<Applied> apply(String taskId, VisdomCommand command) {
    Future<Applied> inPlace = applyInPlace(taskId, command);
    return inPlace != null ? inPlace : onShard(taskId, () -> applyOnShard(taskId, command, false));
  }

  /** The in-place apply, or null when the task is not hot or its shard is busy. */
  private Future<Applied> applyInPlace(String taskId, VisdomCommand command) {
    TaskSlot known = tasks.get(taskId);
    if (closed || known == null || !known.hot()) {
      return null;
    }
    Shard shard = shard(taskId);
    if (!shard.enterIfIdle()) {
      return null;
    }
    CompletionStage<Applied> stage;
    try {
      if (tasks.get(taskId) != known || !known.hot()) {
        return null;
      }
      stage = applyOnShard(taskId, command, true);
      inPlaceCount.increment();
    } catch (Throwable t) {
      stage = CompletableFuture.failedFuture(t);
    } finally {
      shard.leave();
    }
    Context context = Vertx.currentContext();
    Promise<Applied> promise = Promise.promise();
    stage.whenComplete((value, error) -> completeOn(context, promise, value, error));
    return promise.future();
  }

  /**
   * The apply itself, holding the task's shard. {@code inPlace}: on a caller's thread (an event
   * loop), so a due snapshot, which serializes the whole state, is left to the shard's thread.
   */
  private CompletionStage<Applied> applyOnShard(
      String taskId, VisdomCommand command, boolean inPlace) throws Exception {
    TaskSlot slot = tasks.get(taskId);
    boolean created = slot == null;
    if (created) {
      slot = new TaskSlot(taskId, Epochs.next(), new TaskState(), 0);
    }
    ensureHot(slot);
    slot.touch();
    Outcome outcome = engine.apply(slot.state, command);
    if (created) {
      tasks.put(taskId, slot);
    }
    if (!slot.persisted) {
      slot.persisted = true;
      log.submit(LogOps.createTask(taskId, slot.epoch, System.currentTimeMillis()));
    }
    List<Delta> deltas = number(slot, outcome);
    Applied applied = new Applied(outcome.reply(), deltas);
    if (deltas.isEmpty()) {
      return created
          ? log.barrier().thenApply(v -> applied)
          : CompletableFuture.completedFuture(applied);
    }
    TaskSlot s = slot;
    long last = slot.lastSeq;
    CompletableFuture<Void> durable =
        log.submit(LogOps.appendFrames(taskId, deltas, System.currentTimeMillis()));
    if (inPlace) {
      snapshotLaterIfDue(slot);
    } else {
      maybeSnapshot(slot);
    }
    remeasureIfStale(slot);
    return durable.handle(
        (v, error) -> {
          if (error != null) {
            reloadAfterFailure(taskId);
            throw new ApiException(
                ErrorCode.UNAVAILABLE, "the event could not be persisted; retry");
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
    if (snapshotDue(slot)) {
      writeSnapshot(slot);
    }
  }

  private boolean snapshotDue(TaskSlot slot) {
    return slot.bytesSinceSnapshot >= Math.max(config.snapshotBytes(), slot.lastSnapshotBytes);
  }

  /** Queues a due snapshot on the task's shard (once until it ran). */
  private void snapshotLaterIfDue(TaskSlot slot) {
    if (slot.snapshotQueued || !snapshotDue(slot)) {
      return;
    }
    slot.snapshotQueued = true;
    runOnShard(
        slot.taskId,
        () -> {
          slot.snapshotQueued = false;
          if (tasks.get(slot.taskId) == slot && slot.hot()) {
            maybeSnapshot(slot);
          }
        });
  }

  private void writeSnapshot(TaskSlot slot) {
    byte[] state = TreeCodec.bytes(slot.state.toJson());
    long trimUpTo = Math.max(0, slot.lastSeq - config.retainFrames());
    long trimBefore = System.currentTimeMillis() - config.retainTime().toMillis();
    log.submit(LogOps.snapshot(slot.taskId, slot.lastSeq, state, trimUpTo, trimBefore));
    slot.bytesSinceSnapshot = 0;
    slot.lastSnapshotBytes = state.length;
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env) {
    return snapshot(taskId, env, 0);
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env, int maxPoints) {
    return onShard(
        taskId,
        () -> {
          TaskSlot slot = tasks.get(taskId);
          if (slot == null) {
            slot = new TaskSlot(taskId, Epochs.next(), new TaskState(), 0);
            tasks.put(taskId, slot);
          }
          ensureHot(slot);
          slot.touch();
          Snapshot snapshot =
              FrameCodec.snapshot(
                  slot.taskId,
                  slot.epoch,
                  slot.lastSeq,
                  slot.state,
                  env,
                  slot.windowBytes,
                  maxPoints);
          slot.windowBytes.endSnapshot(slot.state.windowCount());
          slot.changedSinceMeasure = true;
          return whenDurable(slot, snapshot.seq()).thenApply(v -> snapshot);
        });
  }

  @Override
  public Future<TracePoints> points(String taskId, PointsQuery query) {
    return onShard(
        taskId,
        () -> {
          TaskSlot slot = tasks.get(taskId);
          if (slot == null) {
            throw new ApiException(ErrorCode.TASK_NOT_FOUND, "task " + taskId + " has no plots");
          }
          ensureHot(slot);
          slot.touch();
          return CompletableFuture.completedFuture(query.answer(slot.state));
        });
  }

  @Override
  public Future<Since> since(String taskId, String epoch, long seq) {
    return onShard(
        taskId,
        () -> {
          TaskSlot slot = tasks.get(taskId);
          if (slot == null || !slot.epoch.equals(epoch) || seq < 0) {
            return CompletableFuture.completedFuture(Since.GONE);
          }
          ensureHot(slot);
          slot.touch();
          if (seq > slot.lastSeq) {
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
    return log.written()
        .thenApplyAsync(
            v -> {
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
            },
            reader);
  }

  private CompletableFuture<Void> whenDurable(TaskSlot slot, long seq) {
    return slot.committedSeq >= seq ? CompletableFuture.completedFuture(null) : log.barrier();
  }

  @Override
  public Future<TaskStats> stats(String taskId) {
    return onShard(
        taskId,
        () -> {
          TaskSlot slot = tasks.get(taskId);
          if (slot == null) {
            return CompletableFuture.completedFuture(null);
          }
          ensureHot(slot);
          slot.touch();
          return CompletableFuture.completedFuture(
              new TaskStats(
                  taskId, slot.epoch, slot.lastSeq, slot.state.windowCount(), slot.state.envIds()));
        });
  }

  @Override
  public Future<List<String>> taskIds() {
    return Future.succeededFuture(List.copyOf(tasks.keySet()));
  }

  @Override
  public Future<Boolean> delete(String taskId) {
    return onShard(
        taskId,
        () -> {
          TaskSlot removed = tasks.remove(taskId);
          if (removed == null) {
            return CompletableFuture.completedFuture(false);
          }
          return log.submit(LogOps.deleteTask(taskId)).thenApply(v -> true);
        });
  }

  @Override
  public void watch(String taskId) {
    hot.watch(taskId);
  }

  @Override
  public void unwatch(String taskId) {
    hot.unwatch(taskId);
  }

  @Override
  public Future<Residency> residency(String taskId) {
    TaskSlot slot = tasks.get(taskId);
    return Future.succeededFuture(slot == null ? null : new Residency(slot.hot(), slot.stateBytes));
  }

  /** Unloads the task now if it is hot (tests, the differential check); completes when done. */
  public Future<Boolean> unload(String taskId) {
    return onShard(taskId, () -> CompletableFuture.completedFuture(unloadOnShard(taskId, null)));
  }

  /**
   * Asks the task's shard to unload it if {@code still} holds there (the sweeper's decision may be
   * stale).
   */
  private void unloadLater(String taskId, HotSet.Check still) {
    runOnShard(taskId, () -> unloadOnShard(taskId, still));
  }

  private boolean unloadOnShard(String taskId, HotSet.Check still) {
    TaskSlot slot = tasks.get(taskId);
    if (slot == null || !slot.hot() || (still != null && !still.holds(slot))) {
      return false;
    }
    if (slot.persisted
        && (slot.bytesSinceSnapshot >= UNLOAD_SNAPSHOT_BYTES
            || (slot.lastSnapshotBytes == 0 && slot.lastSeq > 0))) {
      writeSnapshot(slot);
    }
    slot.unload(log.written());
    hot.unloaded(slot, still);
    return true;
  }

  private void measureLater(String taskId) {
    runOnShard(
        taskId,
        () -> {
          TaskSlot slot = tasks.get(taskId);
          if (slot != null && slot.hot()) {
            measure(slot);
          }
        });
  }

  /**
   * Re-estimates a written task's heap at most every {@link #REMEASURE_NANOS}: the estimate walks
   * the state's containers, so doing it on every write made a 1-point append cost O(windows).
   */
  private void remeasureIfStale(TaskSlot slot) {
    if (slot.lastMeasureNanos == 0 || System.nanoTime() - slot.lastMeasureNanos > REMEASURE_NANOS) {
      applyMeasures.increment();
      measure(slot);
    }
  }

  /** How often an apply re-estimates its task's heap at most (the sweep also does, when idle). */
  static final long REMEASURE_NANOS = 500_000_000L;

  private final java.util.concurrent.atomic.LongAdder applyMeasures =
      new java.util.concurrent.atomic.LongAdder();

  /** Heap estimates made by applies (for tests: they must not run on every write). */
  long applyMeasures() {
    return applyMeasures.sum();
  }

  private void measure(TaskSlot slot) {
    slot.stateBytes = StateSize.of(slot.state) + slot.ringBytes() + slot.windowBytes.heldBytes();
    slot.changedSinceMeasure = false;
    slot.lastMeasureNanos = System.nanoTime();
  }

  /**
   * Closes in order: no new operation is taken, the shards finish what they queued (every apply
   * they ran has handed its frames to the log), the log commits everything queued, then closes.
   */
  @Override
  public Future<Void> close() {
    closed = true;
    hot.stop();
    try {
      for (Shard shard : shards) {
        shard.shutdown();
      }
      for (Shard shard : shards) {
        if (!shard.awaitTermination(60, TimeUnit.SECONDS)) {
          LOG.warn("a store shard did not finish within 60 s; closing the log anyway");
        }
      }
      log.close();
      reader.shutdown();
      return Future.succeededFuture();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Shard shard(String taskId) {
    return shards[Math.floorMod(taskId.hashCode(), SHARDS)];
  }

  private void runOnShard(String taskId, Runnable work) {
    try {
      shard(taskId)
          .execute(
              () -> {
                try {
                  work.run();
                } catch (RuntimeException e) {
                  LOG.error("store housekeeping failed: task_id={}", taskId, e);
                }
              });
    } catch (RejectedExecutionException closing) {
      LOG.debug("store closing; dropped housekeeping for task_id={}", taskId);
    }
  }

  /** Runs work on the task's shard and completes the returned future on the caller's context. */
  private <T> Future<T> onShard(String taskId, ShardWork<T> work) {
    Context context = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    if (closed) {
      return Future.failedFuture(
          new ApiException(ErrorCode.UNAVAILABLE, "the store is closing; retry"));
    }
    try {
      shard(taskId)
          .execute(
              () -> {
                CompletionStage<T> stage;
                try {
                  stage = work.run();
                } catch (Throwable t) {
                  stage = CompletableFuture.failedFuture(t);
                }
                stage.whenComplete((value, error) -> completeOn(context, promise, value, error));
              });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(
          new ApiException(ErrorCode.UNAVAILABLE, "the store is closing; retry"));
    }
    return promise.future();
  }

  private static <T> void completeOn(
      Context context, Promise<T> promise, T value, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
            ? ce.getCause()
            : error;
    Runnable complete =
        () -> {
          if (cause != null) {
            promise.fail(cause);
          } else {
            promise.complete(value);
          }
        };
    if (context != null && context != Vertx.currentContext()) {
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
    CompletionStage<T> run() throws Exception;
  }
}
