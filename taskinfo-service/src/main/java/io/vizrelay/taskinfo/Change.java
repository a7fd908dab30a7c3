package io.vizrelay.taskinfo;

import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatusChange;

/**
 * What one registry operation did to one task.
 *
 * @param before the task before, or null when it was just registered
 * @param after the task after, or null when it was deleted
 */
record Change(TaskRecord before, TaskRecord after) {

  boolean created() {
    return before == null;
  }

  boolean deleted() {
    return after == null;
  }

  boolean unchanged() {
    return before != null && before.equals(after);
  }

  String taskId() {
    return after != null ? after.taskId() : before.taskId();
  }

  /** True when browsers must hear of it: registration, a new status, or a stop request. */
  boolean statusChanged() {
    return after != null && (before == null
        || before.status() != after.status()
        || before.stopRequested() != after.stopRequested());
  }

  TaskStatusChange toStatusChange(long now) {
    return new TaskStatusChange(after.taskId(), after.userId(), after.projectId(), after.status(),
        before == null ? null : before.status(), after.stopRequested(), after.exitCode(), now);
  }
}
