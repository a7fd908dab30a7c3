package io.vizrelay.common.store;

import io.vertx.core.Future;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.List;

/**
 * The one door to task state (docs/ARCHITECTURE.md "Where task state lives"). Applying is serial
 * per task and parallel across tasks; a completed {@link #apply} means the deltas are durable in
 * this tier. All futures complete on the caller's Vert.x context when called from one.
 */
public interface TaskStore {

  /** Applies a visdom command to the task's state (creating the task on first use). */
  Future<Applied> apply(String taskId, VisdomCommand command);

  /** The task's current state for {@code env} ({@code *} = every env), at a durable seq. */
  Future<Snapshot> snapshot(String taskId, String env);

  /** The deltas after {@code epoch:seq}, or {@link Since#GONE}. */
  Future<Since> since(String taskId, String epoch, long seq);

  /** Summary figures of a task, or null when it does not exist. */
  Future<TaskStats> stats(String taskId);

  /** Every task id the store holds. */
  Future<List<String>> taskIds();

  /** Removes a task and all its data; true when it existed. */
  Future<Boolean> delete(String taskId);

  Future<Void> close();

  /**
   * A browser session of this process opened on the task: a tier that unloads idle tasks keeps a
   * watched one in memory. Every {@code watch} is followed by one {@link #unwatch}.
   */
  default void watch(String taskId) {}

  /** A session opened with {@link #watch} closed. */
  default void unwatch(String taskId) {}

  /**
   * Whether the task's state is in memory and its estimated size, without loading it; null when the
   * task does not exist. A tier that holds every task in memory answers hot, size unknown (-1).
   */
  default Future<Residency> residency(String taskId) {
    return Future.succeededFuture(new Residency(true, -1));
  }

  /**
   * In memory ({@code hot}) or only on disk; {@code stateBytes} estimated, 0 when cold, -1 unknown.
   */
  record Residency(boolean hot, long stateBytes) {}

  /** Figures the registry shows: stream life, last seq, windows, envs. */
  record TaskStats(String taskId, String epoch, long lastSeq, int windows, List<String> envs) {}
}
