package io.vizrelay.app.launcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.model.TaskStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The registry calls the launcher makes (docs/openapi-taskinfo.yaml), for one task. */
final class TaskinfoClient {
  private final ServerHttp http;
  private final String path;

  TaskinfoClient(ServerHttp http, String taskId) {
    this.http = http;
    this.path = "/api/tasks/" + URLEncoder.encode(taskId, StandardCharsets.UTF_8);
  }

  /**
   * Body of {@code POST /api/tasks}; {@code stoppable} is always true: the launcher ends the
   * process on stop.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Registration(
      @JsonProperty("task_id") String taskId,
      @JsonProperty("project_id") String projectId,
      @JsonProperty("kind") String kind,
      @JsonProperty("pid") Long pid,
      @JsonProperty("host") String host,
      @JsonProperty("meta") Map<String, String> meta,
      @JsonProperty("stoppable") boolean stoppable) {

    Registration withPid(long childPid) {
      return new Registration(taskId, projectId, kind, childPid, host, meta, stoppable);
    }
  }

  /** Body of {@code POST /api/tasks/{id}/finish}. */
  record Finish(
      @JsonProperty("status") TaskStatus status, @JsonProperty("exit_code") int exitCode) {}

  /** Body of {@code GET /api/tasks/{id}/control}. */
  record Control(boolean stop, TaskStatus status) {
    static Control of(JsonNode body) {
      String status = body.path("status").asText("running");
      return new Control(body.path("stop").asBoolean(false), TaskStatus.of(status));
    }
  }

  void register(Registration registration)
      throws ServerHttp.Refused, ServerHttp.Unavailable, InterruptedException {
    http.post("/api/tasks", registration);
  }

  void heartbeat() throws ServerHttp.Refused, ServerHttp.Unavailable, InterruptedException {
    http.post(path + "/heartbeat", Map.of());
  }

  /** Parks on the server until a stop is asked, the run is over, or {@code parked} passes. */
  Control control(Duration parked)
      throws ServerHttp.Refused, ServerHttp.Unavailable, InterruptedException {
    return Control.of(http.get(path + "/control?timeout=" + parked.toSeconds(), parked));
  }

  void finish(Finish finish)
      throws ServerHttp.Refused, ServerHttp.Unavailable, InterruptedException {
    http.post(path + "/finish", finish);
  }
}
