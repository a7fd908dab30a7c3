package io.vizrelay.common.registry;

import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatusChange;

/**
 * What one registry operation did to one task.
 *
 * @param before the task before, or null when it was just registered
 * @param after the task after, or null when it was deleted
 */
public record Change(TaskRecord before, TaskRecord after) {

  public boolean created() {
    return before == null && after != null;
  }

  public boolean deleted() {
    return before != null && after == null;
  }

  public boolean unchanged() {
    return java.util.Objects.equals(before, after);
  }

  public String taskId() {
    return after != null ? after.taskId() : before.taskId();
  }

  /** True when browsers must hear of it: registration, a new status, or a stop request. */
  public boolean statusChanged() {
    return after != null
        && (before == null
            || before.status() != after.status()
            || before.stopRequested() != after.stopRequested());
  }

  public TaskStatusChange toStatusChange(long now) {
    return new TaskStatusChange(
        after.taskId(),
        after.userId(),
        after.projectId(),
        after.status(),
        before == null ? null : before.status(),
        after.stopRequested(),
        after.exitCode(),
        now);
  }
}
