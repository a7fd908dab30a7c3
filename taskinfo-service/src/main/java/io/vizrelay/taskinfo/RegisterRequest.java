package io.vizrelay.taskinfo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.TaskOwner;

/**
 * Body of {@code POST /api/tasks}, validated. Without {@code user_id} the owner follows {@link
 * TaskOwner#fromTaskId} (a {@code project_id} given still names the project); without {@code kind}
 * the task is {@code train}.
 */
record RegisterRequest(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("user_id") String userId,
    @JsonProperty("project_id") String projectId,
    @JsonProperty("kind") String kind,
    @JsonProperty("pid") Long pid,
    @JsonProperty("host") String host,
    @JsonProperty("meta") JsonNode meta,
    @JsonProperty("stoppable") Boolean stoppable) {

  /** Longest accepted {@code host}. */
  static final int MAX_HOST_CHARS = 255;

  /** {@code unowned}: the owner of an id that names no user ({@link TaskOwner#unownedUser}). */
  static Registration decode(Buffer body, String unowned, int maxMetaBytes) {
    return Bodies.decode(body, RegisterRequest.class).validate(unowned, maxMetaBytes);
  }

  Registration validate(String unowned, int maxMetaBytes) {
    if (!VizConfig.isValidTaskId(taskId)) {
      throw new ApiException(
          ErrorCode.INVALID_TASK_ID,
          "task_id must be 1-128 letters, digits or . _ : @ - (starting with a letter or digit)");
    }
    return new Registration(
        taskId,
        owner(unowned),
        parsedKind(),
        checkedPid(),
        checkedHost(),
        checkedMeta(maxMetaBytes),
        Boolean.TRUE.equals(stoppable));
  }

  private TaskOwner owner(String unowned) {
    if (projectId != null && !TaskOwner.isValidId(projectId)) {
      throw Bodies.invalid("project_id must be 1-128 letters, digits or . _ : @ -");
    }
    if (userId == null) {
      TaskOwner byId = TaskOwner.fromTaskId(taskId, unowned);
      return projectId == null ? byId : new TaskOwner(byId.userId(), projectId);
    }
    if (!TaskOwner.isValidId(userId)) {
      throw Bodies.invalid("user_id must be 1-128 letters, digits or . _ : @ -");
    }
    return new TaskOwner(userId, projectId);
  }

  private TaskKind parsedKind() {
    if (kind == null) {
      return TaskKind.TRAIN;
    }
    try {
      return TaskKind.of(kind);
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid("kind must be train, test or eval");
    }
  }

  private Long checkedPid() {
    if (pid != null && pid < 0) {
      throw Bodies.invalid("pid must not be negative");
    }
    return pid;
  }

  private String checkedHost() {
    if (host != null && host.length() > MAX_HOST_CHARS) {
      throw Bodies.invalid("host is longer than " + MAX_HOST_CHARS + " characters");
    }
    return host;
  }

  private JsonNode checkedMeta(int maxMetaBytes) {
    if (meta == null || meta.isNull()) {
      return null;
    }
    if (!meta.isObject()) {
      throw Bodies.invalid("meta must be a JSON object");
    }
    if (Json.bytes(meta).length > maxMetaBytes) {
      throw new ApiException(
          ErrorCode.PAYLOAD_TOO_LARGE, "meta is larger than " + maxMetaBytes + " bytes");
    }
    return meta;
  }
}
