package io.vizrelay.taskinfo;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import io.vizrelay.common.registry.TaskOwner;
import io.vizrelay.common.registry.grid.GridTask;
import io.vizrelay.common.registry.grid.RegistryGrid;
import io.vizrelay.common.registry.grid.RegistryProcessor;
import io.vizrelay.common.registry.grid.RegistryResult;
import io.vizrelay.common.store.cluster.GridCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster registry: every task one entry of the Hazelcast map {@link RegistryGrid#MAP}, shared
 * by every taskinfo replica. Changes are {@link RegistryProcessor}s, serial per task on its
 * partition owner with a synchronous backup; lists are indexed queries on the owner or the
 * shared-with users; lost detection runs on the partition owners over the silent running tasks
 * only. Any replica can answer any request, and a replica that dies takes nothing with it.
 *
 * <p>Single-key calls are asynchronous; queries (list, room count, lost detection) have no async
 * form in Hazelcast and run on a worker thread, never on the event loop. The per-user task limit is
 * counted before the op, so two replicas registering a user's last free slot at the same instant
 * may both succeed (at most one task per concurrent request beyond the limit).
 */
final class GridRegistry implements Registry {
  private static final Logger LOG = LoggerFactory.getLogger(GridRegistry.class);
  private static final String WHAT = "the task registry";

  private final Vertx vertx;
  private final IMap<String, GridTask> map;
  private final TaskinfoConfig limits;
  private final String principal;
  private final Consumer<Change> listener;

  private GridRegistry(
      Vertx vertx,
      HazelcastInstance grid,
      TaskinfoConfig limits,
      String principal,
      Consumer<Change> listener) {
    this.vertx = vertx;
    this.map = grid.getMap(RegistryGrid.MAP);
    this.limits = limits;
    this.principal = principal;
    this.listener = listener;
  }

  static Opener opener(HazelcastInstance grid, VizConfig config, TaskinfoConfig limits) {
    return (vertx, listener) ->
        Future.succeededFuture(
            new GridRegistry(vertx, grid, limits, TaskOwner.unownedUser(config), listener));
  }

  @Override
  public Future<Optional<TaskRecord>> get(String taskId) {
    return GridCall.of(map.getAsync(taskId), WHAT)
        .map(task -> Optional.ofNullable(task).map(GridTask::record));
  }

  @Override
  public Future<TaskPage> list(ListQuery query) {
    String user = query.userId();
    return blocking(
            () ->
                map.values(
                    query.scope() == ListQuery.Scope.SHARED
                        ? RegistryGrid.sharedWith(user)
                        : RegistryGrid.ownedBy(user)))
        .map(tasks -> Registry.page(tasks.stream().map(GridTask::record), query));
  }

  @Override
  public Future<Change> register(Registration registration, long now) {
    return hasRoom(registration.owner().userId())
        .compose(
            room ->
                update(
                    registration.taskId(),
                    new RegistryOp.Register(registration, now, room, limits.maxTasksPerUser())));
  }

  @Override
  public Future<Change> update(String taskId, RegistryOp op) {
    return submit(taskId, op).map(this::told);
  }

  @Override
  public Future<List<Change>> seen(List<TaskSeen> batch, long now) {
    List<Future<Change>> each =
        batch.stream()
            .filter(s -> VizConfig.isValidTaskId(s.taskId()))
            .map(s -> seenOne(s, now))
            .toList();
    return Future.join(each).transform(ar -> Future.succeededFuture(realChanges(each)));
  }

  @Override
  public Future<List<Change>> markLost(long cutoff) {
    RegistryProcessor op = new RegistryProcessor(new RegistryOp.MarkLost(cutoff));
    return blocking(() -> map.executeOnEntries(op, RegistryGrid.silentSince(cutoff)))
        .map(
            results ->
                results.values().stream()
                    .map(RegistryResult::change)
                    .filter(c -> !c.unchanged())
                    .map(this::told)
                    .toList());
  }

  /** The grid belongs to the node; nothing to close. */
  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /**
   * Seen as a known task; when unknown, counted against the owner's limit, then auto-registered.
   */
  private Future<Change> seenOne(TaskSeen seen, long now) {
    return submit(seen.taskId(), new RegistryOp.Seen(seen, principal, now, false))
        .compose(
            change -> {
              if (change.before() != null) {
                return Future.succeededFuture(told(change));
              }
              String owner = TaskOwner.fromTaskId(seen.taskId(), principal).userId();
              return hasRoom(owner)
                  .compose(
                      room -> {
                        if (!room) {
                          LOG.warn(
                              "task not auto-registered: user at task limit task_id={} user_id={}",
                              seen.taskId(),
                              owner);
                        }
                        return submit(
                                seen.taskId(), new RegistryOp.Seen(seen, principal, now, room))
                            .map(this::told);
                      });
            });
  }

  private List<Change> realChanges(List<Future<Change>> each) {
    List<Change> changes = new ArrayList<>();
    for (Future<Change> f : each) {
      if (f.succeeded() && !f.result().unchanged()) {
        changes.add(f.result());
      } else if (f.failed()) {
        LOG.warn("heartbeat not stored: {}", f.cause().getMessage());
      }
    }
    return changes;
  }

  private Future<Boolean> hasRoom(String userId) {
    return blocking(() -> map.aggregate(Aggregators.count(), RegistryGrid.ownedBy(userId)))
        .map(count -> count < limits.maxTasksPerUser());
  }

  private Future<Change> submit(String taskId, RegistryOp op) {
    return GridCall.of(map.submitToKey(taskId, new RegistryProcessor(op)), WHAT)
        .map(RegistryResult::change);
  }

  /** Tells the listener of a real change (on this replica: the one that made it). */
  private Change told(Change change) {
    if (!change.unchanged()) {
      listener.accept(change);
    }
    return change;
  }

  /** A Hazelcast call with no async form, on a worker thread; grid failures become 503. */
  private <T> Future<T> blocking(Callable<T> call) {
    return vertx
        .executeBlocking(call, false)
        .recover(e -> Future.failedFuture(GridCall.translate(e, WHAT)));
  }
}
