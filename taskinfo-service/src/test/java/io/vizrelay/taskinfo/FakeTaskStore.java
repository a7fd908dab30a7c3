package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.TracePoints;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The part of a TaskStore taskinfo uses: stats per task and delete, recording what was deleted. */
final class FakeTaskStore implements TaskStore {
  final Map<String, TaskStats> stats = new ConcurrentHashMap<>();
  final List<String> deleted = new CopyOnWriteArrayList<>();

  void put(String taskId, long lastSeq, int windows) {
    stats.put(taskId, new TaskStats(taskId, "e1", lastSeq, windows, List.of("main")));
  }

  @Override
  public Future<TaskStats> stats(String taskId) {
    return Future.succeededFuture(stats.get(taskId));
  }

  @Override
  public Future<Boolean> delete(String taskId) {
    deleted.add(taskId);
    return Future.succeededFuture(stats.remove(taskId) != null);
  }

  @Override
  public Future<List<String>> taskIds() {
    return Future.succeededFuture(List.copyOf(stats.keySet()));
  }

  @Override
  public Future<Applied> apply(String taskId, VisdomCommand command) {
    return Future.failedFuture(new UnsupportedOperationException("not used by taskinfo"));
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env) {
    return Future.failedFuture(new UnsupportedOperationException("not used by taskinfo"));
  }

  @Override
  public Future<Snapshot> snapshot(String taskId, String env, int maxPoints) {
    return Future.failedFuture(new UnsupportedOperationException("not used by taskinfo"));
  }

  @Override
  public Future<TracePoints> points(String taskId, PointsQuery query) {
    return Future.failedFuture(new UnsupportedOperationException("not used by these tests"));
  }

  @Override
  public Future<Since> since(String taskId, String epoch, long seq) {
    return Future.failedFuture(new UnsupportedOperationException("not used by taskinfo"));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
