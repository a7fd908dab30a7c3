package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Every user's tasks (docs/openapi-taskinfo.yaml). Two tiers behind one interface, like the task
 * store: the embedded {@link TaskRegistry} (memory + {@code taskinfo.db}) and the cluster's {@link
 * GridRegistry} (a Hazelcast map every taskinfo replica shares). Every change is a {@link
 * RegistryOp}, so both apply exactly the same rules. The listener given at opening hears each
 * change made through this instance; the futures complete once the change is stored (on disk, or on
 * the owner and its backup).
 */
interface Registry {

  /** Running tasks first, then the newest run first. */
  Comparator<TaskRecord> LIST_ORDER =
      Comparator.comparing(
              (TaskRecord t) -> t.status() != io.vizrelay.common.model.TaskStatus.RUNNING)
          .thenComparing(TaskRecord::startedAt, Comparator.reverseOrder())
          .thenComparing(TaskRecord::taskId);

  /** Opens a registry for a verticle: on its Vert.x, telling {@code listener} of every change. */
  @FunctionalInterface
  interface Opener {
    Future<Registry> open(Vertx vertx, Consumer<Change> listener);
  }

  Future<Optional<TaskRecord>> get(String taskId);

  /** One page of a user's tasks matching {@code query}, in {@link #LIST_ORDER}. */
  Future<TaskPage> list(ListQuery query);

  /** Registers a task, or refreshes / restarts a known one; 422 when its owner has no room left. */
  Future<Change> register(Registration registration, long now);

  /** Heartbeat, finish, stop, share or delete of a known task (404 when unknown). */
  Future<Change> update(String taskId, RegistryOp op);

  /**
   * A batch of ingest heartbeats: known tasks are seen, unknown ones auto-registered; users at
   * their task limit get none. Returns the real changes.
   */
  Future<List<Change>> seen(List<TaskSeen> batch, long now);

  /** Running tasks last seen before {@code cutoff} become lost. Returns the real changes. */
  Future<List<Change>> markLost(long cutoff);

  Future<Void> close();

  /** The page of {@code candidates} that {@code query} asks for. */
  static TaskPage page(Stream<TaskRecord> candidates, ListQuery query) {
    List<TaskRecord> matching = candidates.filter(query::matches).sorted(LIST_ORDER).toList();
    int from = Math.min(query.offset(), matching.size());
    int to = Math.min(from + query.limit(), matching.size());
    return new TaskPage(matching.subList(from, to), matching.size(), query.limit(), query.offset());
  }
}
