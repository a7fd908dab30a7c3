package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TaskStatus;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Every user's tasks: held in memory for queries, each change written through to {@link TaskDb}.
 *
 * <p>Thread-safe: one short lock guards the maps; I/O never happens under it (the lock only
 * <em>enqueues</em> the write, which keeps the database in the order of the changes). The listener
 * hears every change at once, in order; the returned futures complete once the change is durable.
 */
final class TaskRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRegistry.class);

  /** Running tasks first, then the newest run first. */
  static final Comparator<TaskRecord> LIST_ORDER = Comparator
      .comparing((TaskRecord t) -> t.status() != TaskStatus.RUNNING)
      .thenComparing(TaskRecord::startedAt, Comparator.reverseOrder())
      .thenComparing(TaskRecord::taskId);

  private final Map<String, TaskEntry> byId = new HashMap<>();
  private final Map<String, Set<String>> idsByUser = new HashMap<>();
  /** Task ids shared (read-only) with each user. */
  private final Map<String, Set<String>> sharedByUser = new HashMap<>();
  private final TaskDb db;
  private final TaskinfoConfig limits;
  private final String principal;
  private final Consumer<Change> listener;

  private TaskRegistry(TaskDb db, TaskinfoConfig limits, String principal, Consumer<Change> listener) {
    this.db = db;
    this.limits = limits;
    this.principal = principal;
    this.listener = listener;
  }

  /** The registry as stored in {@code db}. */
  static Future<TaskRegistry> load(TaskDb db, TaskinfoConfig limits, String principal, Consumer<Change> listener) {
    TaskRegistry registry = new TaskRegistry(db, limits, principal, listener);
    return db.loadAll().map(records -> {
      records.forEach(r -> registry.index(TaskEntry.fromRecord(r)));
      LOG.info("task registry loaded tasks={}", records.size());
      return registry;
    });
  }

  synchronized Optional<TaskRecord> get(String taskId) {
    return Optional.ofNullable(byId.get(taskId)).map(TaskEntry::toRecord);
  }

  synchronized int size() {
    return byId.size();
  }

  /** One page of a user's tasks matching {@code query}, in {@link #LIST_ORDER}. */
  synchronized TaskPage list(ListQuery query) {
    Map<String, Set<String>> index = query.scope() == ListQuery.Scope.SHARED ? sharedByUser : idsByUser;
    List<TaskRecord> matching = index.getOrDefault(query.userId(), Set.of()).stream()
        .map(id -> byId.get(id).toRecord())
        .filter(query::matches)
        .sorted(LIST_ORDER)
        .toList();
    int from = Math.min(query.offset(), matching.size());
    int to = Math.min(from + query.limit(), matching.size());
    return new TaskPage(matching.subList(from, to), matching.size(), query.limit(), query.offset());
  }

  /** Registers a task, or refreshes / restarts a known one ({@link TaskEntry#reRegister}). */
  synchronized Future<Change> register(RegisterRequest.Valid request, long now) {
    TaskEntry entry = byId.get(request.taskId());
    try {
      return commit(entry == null ? registerNew(request, now) : registerAgain(entry, request, now));
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
  }

  private Change registerNew(RegisterRequest.Valid request, long now) {
    requireRoom(request.owner().userId());
    TaskEntry entry = TaskEntry.registered(request, now);
    index(entry);
    return new Change(null, entry.toRecord());
  }

  private Change registerAgain(TaskEntry entry, RegisterRequest.Valid request, long now) {
    TaskRecord before = entry.toRecord();
    entry.checkOwner(request);
    if (!request.owner().userId().equals(before.userId())) {
      requireRoom(request.owner().userId());
    }
    unindexShared(entry);
    entry.reRegister(request, now);
    reindex(before.userId(), entry);
    indexShared(entry);
    return new Change(before, entry.toRecord());
  }

  synchronized Future<Change> heartbeat(String taskId, long now) {
    return update(taskId, entry -> entry.heartbeat(now));
  }

  synchronized Future<Change> finish(String taskId, FinishRequest.Valid report, long now) {
    return update(taskId, entry -> entry.finish(report, now));
  }

  synchronized Future<Change> requestStop(String taskId) {
    return update(taskId, TaskEntry::requestStop);
  }

  /** Sets the users the task is shared with (read-only); {@code users} is validated by the caller. */
  synchronized Future<Change> share(String taskId, List<String> users) {
    TaskEntry entry = byId.get(taskId);
    if (entry == null) {
      return Future.failedFuture(notFound(taskId));
    }
    TaskRecord before = entry.toRecord();
    unindexShared(entry);
    entry.share(users);
    indexShared(entry);
    return commit(new Change(before, entry.toRecord()));
  }

  synchronized Future<Change> delete(String taskId) {
    TaskEntry entry = byId.remove(taskId);
    if (entry == null) {
      return Future.failedFuture(notFound(taskId));
    }
    unindex(entry.userId(), taskId);
    unindexShared(entry);
    return commit(new Change(entry.toRecord(), null));
  }

  /**
   * A batch of ingest heartbeats: known tasks are seen, unknown ones auto-registered (owner by
   * {@link TaskOwner#fromTaskId}); malformed ids and users at their task limit are skipped.
   */
  synchronized Future<List<Change>> seen(List<TaskSeen> batch, long now) {
    List<Change> changes = new ArrayList<>(batch.size());
    for (TaskSeen seen : batch) {
      Change change = VizConfig.isValidTaskId(seen.taskId()) ? seenOne(seen, now) : null;
      if (change != null) {
        changes.add(change);
      }
    }
    return commitAll(changes);
  }

  /** Running tasks last seen before {@code cutoff} become lost. */
  synchronized Future<List<Change>> markLost(long cutoff) {
    List<Change> changes = new ArrayList<>();
    for (TaskEntry entry : byId.values()) {
      TaskRecord before = entry.toRecord();
      if (entry.markLostIfSilent(cutoff)) {
        changes.add(new Change(before, entry.toRecord()));
      }
    }
    return commitAll(changes);
  }

  private Change seenOne(TaskSeen seen, long now) {
    TaskEntry entry = byId.get(seen.taskId());
    if (entry != null) {
      TaskRecord before = entry.toRecord();
      entry.seen(seen, now);
      return new Change(before, entry.toRecord());
    }
    TaskOwner owner = TaskOwner.fromTaskId(seen.taskId(), principal);
    if (!hasRoom(owner.userId())) {
      LOG.warn("task not auto-registered: user at task limit task_id={} user_id={}", seen.taskId(), owner.userId());
      return null;
    }
    entry = TaskEntry.autoRegistered(seen, owner, now);
    index(entry);
    return new Change(null, entry.toRecord());
  }

  private Future<Change> update(String taskId, Consumer<TaskEntry> action) {
    TaskEntry entry = byId.get(taskId);
    if (entry == null) {
      return Future.failedFuture(notFound(taskId));
    }
    TaskRecord before = entry.toRecord();
    try {
      action.accept(entry);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return commit(new Change(before, entry.toRecord()));
  }

  /** Called under the lock: tells the listener, then enqueues the write. */
  private Future<Change> commit(Change change) {
    if (change.unchanged()) {
      return Future.succeededFuture(change);
    }
    listener.accept(change);
    Future<Void> written = change.deleted() ? db.delete(change.taskId()) : db.save(List.of(change.after()));
    return written.map(change);
  }

  private Future<List<Change>> commitAll(List<Change> changes) {
    List<Change> real = changes.stream().filter(c -> !c.unchanged()).toList();
    if (real.isEmpty()) {
      return Future.succeededFuture(real);
    }
    real.forEach(listener);
    return db.save(real.stream().map(Change::after).toList()).map(real);
  }

  private void requireRoom(String userId) {
    if (!hasRoom(userId)) {
      throw new ApiException(ErrorCode.LIMIT_EXCEEDED,
          "user " + userId + " already has " + limits.maxTasksPerUser() + " tasks; delete some first");
    }
  }

  private boolean hasRoom(String userId) {
    return idsByUser.getOrDefault(userId, Set.of()).size() < limits.maxTasksPerUser();
  }

  private void index(TaskEntry entry) {
    byId.put(entry.taskId(), entry);
    idsByUser.computeIfAbsent(entry.userId(), u -> new LinkedHashSet<>()).add(entry.taskId());
    indexShared(entry);
  }

  private void indexShared(TaskEntry entry) {
    for (String user : entry.sharedWith()) {
      sharedByUser.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(entry.taskId());
    }
  }

  private void unindexShared(TaskEntry entry) {
    for (String user : entry.sharedWith()) {
      Set<String> ids = sharedByUser.get(user);
      if (ids != null && ids.remove(entry.taskId()) && ids.isEmpty()) {
        sharedByUser.remove(user);
      }
    }
  }

  private void reindex(String previousUser, TaskEntry entry) {
    if (!previousUser.equals(entry.userId())) {
      unindex(previousUser, entry.taskId());
      index(entry);
    }
  }

  private void unindex(String userId, String taskId) {
    Set<String> ids = idsByUser.get(userId);
    if (ids != null && ids.remove(taskId) && ids.isEmpty()) {
      idsByUser.remove(userId);
    }
  }

  static ApiException notFound(String taskId) {
    return new ApiException(ErrorCode.TASK_NOT_FOUND, "task " + taskId + " does not exist");
  }
}
