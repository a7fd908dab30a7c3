package io.vizrelay.common.store.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.FunctionCounter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.TracePoints;
import io.vizrelay.common.visdom.Limits;
import io.vizrelay.common.visdom.Reply;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The cluster tier of {@link TaskStore} (docs/CLUSTER.md): every task is one entry of the Hazelcast
 * {@code IMap} {@value #MAP}, partitioned by task id, in-memory format OBJECT, one synchronous
 * backup. It is changed only by entry processors ({@link Processors}): they run serially per task
 * on its partition owner, and the backup replays the resulting frames, so an acknowledged apply is
 * on two members. A backup that cannot replay a frame is resynchronized from its primary ({@link
 * ReplicaRepair}). A ring of recent frames per task serves {@code since}.
 *
 * <p>Nothing here blocks: Hazelcast's {@code CompletionStage}s are completed back on the caller's
 * Vert.x context. Grid failures (a member lost mid-call, the instance shutting down) become {@code
 * 503 UNAVAILABLE}, which clients retry.
 */
public final class ClusterTaskStore implements TaskStore {
  /** The grid map of task states. */
  public static final String MAP = "vizrelay.tasks";

  /** {@code vizrelay_backup_divergences_total} (docs/METRICS.md). */
  static final String DIVERGENCES = "vizrelay.backup.divergences";

  private final Vertx vertx;
  private final IMap<String, StoredTask> map;
  private final Limits limits;
  private final Retention retention;
  private final WatchLeases watches;

  public ClusterTaskStore(Vertx vertx, HazelcastInstance hazelcast, VizConfig config) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(MAP);
    this.watches = new WatchLeases(vertx, hazelcast);
    this.limits = new Limits(config.maxWindowsPerTask(), config.maxPointsPerWindow());
    this.retention = Retention.of(config.retainFrames(), config.retainTime().toMillis());
    ReplicaRepair repair = ReplicaRepair.of(hazelcast);
    FunctionCounter.builder(DIVERGENCES, repair, ReplicaRepair::divergences)
        .description(
            "backup replicas on this member that could not replay their primary's frames and were resynchronized")
        .register(Metrics.of(vertx).registry());
  }

  /** Adds the map's configuration (OBJECT format, one synchronous backup) to a Hazelcast config. */
  public static Config configure(Config config, int backups) {
    config.addMapConfig(
        new MapConfig(MAP)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setBackupCount(backups)
            .setAsyncBackupCount(0)
            .setReadBackupData(false));
    return config;
  }

  @Override
  public Future<Applied> apply(String taskId, VisdomCommand command) {
    Processors.Apply processor =
        new Processors.Apply(
            UUID.randomUUID().toString(), CommandCodec.encode(command), limits, retention);
    return call(map.submitToKey(taskId, processor))
        .map(
            result -> {
              if (result.errorCode != null) {
                throw new ApiException(ErrorCode.valueOf(result.errorCode), result.errorMessage);
              }
              List<Delta> deltas = new ArrayList<>(result.frames.size());
              for (RingFrame f : result.frames) {
                deltas.add(f.toDelta(taskId, result.epoch));
              }
              return new Applied(new Reply(result.reply, result.json), deltas);
            });
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env) {
    return snapshot(taskId, env, 0);
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env, int maxPoints) {
    return call(map.submitToKey(taskId, new Processors.Snap(env, retention, maxPoints)))
        .map(
            s -> {
              List<Buffer> frames = new ArrayList<>(s.frames.size());
              for (byte[] b : s.frames) {
                frames.add(Buffer.buffer(b));
              }
              return new Snapshot(taskId, s.epoch, s.seq, s.envs, frames, s.downsampled);
            });
  }

  @Override
  public Future<TracePoints> points(String taskId, PointsQuery query) {
    return call(map.submitToKey(taskId, new Processors.Points(query)))
        .map(
            r -> {
              if (r.errorCode != null) {
                throw new ApiException(ErrorCode.valueOf(r.errorCode), r.errorMessage);
              }
              return new TracePoints(r.downsampled, r.points, r.body);
            });
  }

  @Override
  public Future<Since> since(String taskId, String epoch, long seq) {
    return call(map.submitToKey(taskId, new Processors.After(epoch, seq)))
        .map(
            r -> {
              if (r.gone) {
                return Since.GONE;
              }
              List<Delta> deltas = new ArrayList<>(r.frames.size());
              for (RingFrame f : r.frames) {
                deltas.add(f.toDelta(taskId, epoch));
              }
              return Since.of(deltas);
            });
  }

  @Override
  public Future<TaskStats> stats(String taskId) {
    return call(map.submitToKey(taskId, new Processors.Stats()))
        .map(s -> s == null ? null : new TaskStats(taskId, s.epoch, s.lastSeq, s.windows, s.envs));
  }

  /**
   * Keeps the task in the grid while watched, when the grid evicts idle tasks ({@link
   * GridEviction}).
   */
  @Override
  public void watch(String taskId) {
    watches.watch(taskId);
  }

  @Override
  public void unwatch(String taskId) {
    watches.unwatch(taskId);
  }

  /** The tasks in the grid now (with PostgreSQL behind it, evicted ones are not listed). */
  @Override
  public Future<List<String>> taskIds() {
    return vertx.executeBlocking(() -> List.copyOf(map.keySet()), false);
  }

  @Override
  public Future<Boolean> delete(String taskId) {
    return call(map.submitToKey(taskId, new Processors.Delete()));
  }

  /** The grid lives as long as the node's Vert.x; nothing to close here. */
  @Override
  public Future<Void> close() {
    watches.close();
    return Future.succeededFuture();
  }

  private static <T> Future<T> call(CompletionStage<T> stage) {
    return GridCall.of(stage, "the task store");
  }
}
