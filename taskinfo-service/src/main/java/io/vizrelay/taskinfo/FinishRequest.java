package io.vizrelay.taskinfo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.registry.FinishReport;

/** Body of {@code POST /api/tasks/{id}/finish}: how the job ended. */
record FinishRequest(
    @JsonProperty("status") String status, @JsonProperty("exit_code") Integer exitCode) {

  static FinishReport decode(Buffer body) {
    return Bodies.decode(body, FinishRequest.class).validate();
  }

  FinishReport validate() {
    TaskStatus parsed = parseStatus();
    if (!parsed.finished()) {
      throw Bodies.invalid("status must be succeeded, failed or stopped");
    }
    return new FinishReport(parsed, exitCode);
  }

  private TaskStatus parseStatus() {
    if (status == null) {
      throw Bodies.invalid("status is required: succeeded, failed or stopped");
    }
    try {
      return TaskStatus.of(status);
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid("status must be succeeded, failed or stopped");
    }
  }
}
