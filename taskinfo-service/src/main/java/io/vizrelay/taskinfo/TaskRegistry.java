package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import io.vizrelay.common.registry.TaskOwner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded registry: every task in memory for queries, each change written through to {@link
 * TaskDb}.
 *
 * <p>Thread-safe: one short lock guards the maps; I/O never happens under it (the lock only
 * <em>enqueues</em> the write, which keeps the database in the order of the changes). The listener
 * hears every change at once, in order; the returned futures complete once the change is durable.
 */
final class TaskRegistry implements Registry {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRegistry.class);

  private final Map<String, TaskRecord> byId = new HashMap<>();
  private final Map<String, Set<String>> idsByUser = new HashMap<>();

  /** Task ids shared (read-only) with each user. */
  private final Map<String, Set<String>> sharedByUser = new HashMap<>();

  private final TaskDb db;
  private final TaskinfoConfig limits;
  private final String principal;
  private final Consumer<Change> listener;

  private TaskRegistry(
      TaskDb db, TaskinfoConfig limits, String principal, Consumer<Change> listener) {
    this.db = db;
    this.limits = limits;
    this.principal = principal;
    this.listener = listener;
  }

  /**
   * Opens {@code <dataDir>/taskinfo.db} (a database that cannot be opened fails the start) and
   * loads the registry from it in the background: calls made meanwhile wait for the load ({@link
   * LoadingRegistry}), so the server does not wait for every row to be decoded before it answers.
   */
  static Opener opener(VizConfig config, TaskinfoConfig limits) {
    return (vertx, listener) ->
        TaskDb.open(vertx, config.dataDir(), config.fsync())
            .map(
                db ->
                    new LoadingRegistry(
                        load(db, limits, TaskOwner.unownedUser(config), listener)
                            .onFailure(e -> LOG.error("task registry could not be loaded", e))));
  }

  /** The registry as stored in {@code db}. */
  static Future<Registry> load(
      TaskDb db, TaskinfoConfig limits, String principal, Consumer<Change> listener) {
    TaskRegistry registry = new TaskRegistry(db, limits, principal, listener);
    return db.loadAll()
        .map(
            records -> {
              records.forEach(registry::index);
              LOG.info("task registry loaded tasks={}", records.size());
              return registry;
            });
  }

  @Override
  public synchronized Future<Optional<TaskRecord>> get(String taskId) {
    return Future.succeededFuture(Optional.ofNullable(byId.get(taskId)));
  }

  synchronized int size() {
    return byId.size();
  }

  @Override
  public synchronized Future<TaskPage> list(ListQuery query) {
    Map<String, Set<String>> index =
        query.scope() == ListQuery.Scope.SHARED ? sharedByUser : idsByUser;
    return Future.succeededFuture(
        Registry.page(index.getOrDefault(query.userId(), Set.of()).stream().map(byId::get), query));
  }

  @Override
  public synchronized Future<Change> register(Registration registration, long now) {
    boolean room = hasRoom(registration.owner().userId());
    return update(
        registration.taskId(),
        new RegistryOp.Register(registration, now, room, limits.maxTasksPerUser()));
  }

  @Override
  public synchronized Future<Change> update(String taskId, RegistryOp op) {
    try {
      Change change = applyOne(taskId, op);
      return commitAll(List.of(change)).map(change);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public synchronized Future<List<Change>> seen(List<TaskSeen> batch, long now) {
    List<Change> changes = new ArrayList<>(batch.size());
    for (TaskSeen seen : batch) {
      if (!VizConfig.isValidTaskId(seen.taskId())) {
        continue;
      }
      boolean room =
          byId.containsKey(seen.taskId())
              || hasRoom(TaskOwner.fromTaskId(seen.taskId(), principal).userId());
      Change change = applyOne(seen.taskId(), new RegistryOp.Seen(seen, principal, now, room));
      if (!room) {
        LOG.warn("task not auto-registered: user at task limit task_id={}", seen.taskId());
      }
      changes.add(change);
    }
    return commitAll(changes);
  }

  @Override
  public synchronized Future<List<Change>> markLost(long cutoff) {
    RegistryOp op = new RegistryOp.MarkLost(cutoff);
    List<Change> changes = new ArrayList<>();
    for (String taskId : List.copyOf(byId.keySet())) {
      changes.add(applyOne(taskId, op));
    }
    return commitAll(changes);
  }

  @Override
  public Future<Void> close() {
    return db.close();
  }

  /** Under the lock: applies {@code op} and updates the indexes; throws when it is refused. */
  private Change applyOne(String taskId, RegistryOp op) {
    TaskRecord before = byId.get(taskId);
    TaskRecord after = op.apply(taskId, before);
    if (before != null) {
      unindex(before);
    }
    if (after != null) {
      index(after);
    }
    return new Change(before, after);
  }

  /** Under the lock: tells the listener of the real changes, then enqueues their writes. */
  private Future<List<Change>> commitAll(List<Change> changes) {
    List<Change> real = changes.stream().filter(c -> !c.unchanged()).toList();
    if (real.isEmpty()) {
      return Future.succeededFuture(real);
    }
    real.forEach(listener);
    List<TaskRecord> saved = real.stream().filter(c -> !c.deleted()).map(Change::after).toList();
    List<Future<Void>> writes = new ArrayList<>();
    if (!saved.isEmpty()) {
      writes.add(db.save(saved));
    }
    real.stream().filter(Change::deleted).forEach(c -> writes.add(db.delete(c.taskId())));
    return Future.all(writes).map(real);
  }

  private boolean hasRoom(String userId) {
    return idsByUser.getOrDefault(userId, Set.of()).size() < limits.maxTasksPerUser();
  }

  private void index(TaskRecord task) {
    byId.put(task.taskId(), task);
    idsByUser.computeIfAbsent(task.userId(), u -> new LinkedHashSet<>()).add(task.taskId());
    for (String user : task.sharedWith()) {
      sharedByUser.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(task.taskId());
    }
  }

  private void unindex(TaskRecord task) {
    byId.remove(task.taskId());
    removeFrom(idsByUser, task.userId(), task.taskId());
    for (String user : task.sharedWith()) {
      removeFrom(sharedByUser, user, task.taskId());
    }
  }

  private static void removeFrom(Map<String, Set<String>> index, String user, String taskId) {
    Set<String> ids = index.get(user);
    if (ids != null && ids.remove(taskId) && ids.isEmpty()) {
      index.remove(user);
    }
  }
}
