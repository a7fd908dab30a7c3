package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import java.util.List;
import java.util.Optional;

/**
 * A registry that is still being read from disk: every call waits for the load and then runs, in
 * the order the calls were made (listeners of one future run in registration order; once loaded, a
 * call runs at once). The embedded server answers {@code /health} without waiting for the
 * registry's rows to be decoded, so start-up does not grow with the number of tasks ever
 * registered. A load that failed fails every call with its cause.
 */
final class LoadingRegistry implements Registry {
  private final Future<Registry> loading;

  LoadingRegistry(Future<Registry> loading) {
    this.loading = loading;
  }

  @Override
  public Future<Optional<TaskRecord>> get(String taskId) {
    return loading.compose(r -> r.get(taskId));
  }

  @Override
  public Future<TaskPage> list(ListQuery query) {
    return loading.compose(r -> r.list(query));
  }

  @Override
  public Future<Change> register(Registration registration, long now) {
    return loading.compose(r -> r.register(registration, now));
  }

  @Override
  public Future<Change> update(String taskId, RegistryOp op) {
    return loading.compose(r -> r.update(taskId, op));
  }

  @Override
  public Future<List<Change>> seen(List<TaskSeen> batch, long now) {
    return loading.compose(r -> r.seen(batch, now));
  }

  @Override
  public Future<List<Change>> markLost(long cutoff) {
    return loading.compose(r -> r.markLost(cutoff));
  }

  @Override
  public Future<Void> close() {
    return loading.transform(ar -> ar.succeeded() ? ar.result().close() : Future.succeededFuture());
  }
}
