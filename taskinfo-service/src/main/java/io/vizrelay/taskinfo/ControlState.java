package io.vizrelay.taskinfo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.model.TaskStatusChange;

/**
 * Body of {@code GET /api/tasks/{id}/control}: what the training side must do.
 *
 * @param taskId the task
 * @param stop true when a person asked the task to stop: end the process, then report finish
 * @param status the task's status (a finished status tells the job its run is over)
 */
record ControlState(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("stop") boolean stop,
    @JsonProperty("status") TaskStatus status) {

  static ControlState of(TaskRecord task) {
    return new ControlState(task.taskId(), task.stopRequested(), task.status());
  }

  /** The state a status notification tells of. */
  static ControlState of(TaskStatusChange change) {
    return new ControlState(change.taskId(), change.stopRequested(), change.status());
  }

  /** True when a waiting control request should be answered now, not at its timeout. */
  boolean decisive() {
    return stop || status.finished();
  }
}
