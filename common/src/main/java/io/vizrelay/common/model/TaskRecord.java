package io.vizrelay.common.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One task as the registry (taskinfo) knows it: the body of {@code GET /api/tasks/{id}}, the items
 * of a task list and the reply to {@link io.vizrelay.common.bus.Addresses#TASK_GET}. Timestamps are
 * epoch milliseconds; nullable fields are written as JSON {@code null}.
 *
 * @param taskId the task's id (globally unique)
 * @param userId owner of the task
 * @param projectId the owner's project, or null
 * @param kind train, test or eval
 * @param pid the job's process id, or null
 * @param host the job's host, or null
 * @param status life-cycle status
 * @param createdAt when the registry first knew the task
 * @param startedAt when the current run was registered
 * @param lastSeenAt the last heartbeat, ingest event or registration
 * @param finishedAt when the run finished, or null
 * @param exitCode the job's exit code, or null
 * @param stopRequested a person asked the task to stop ({@code POST /api/tasks/{id}/stop})
 * @param autoRegistered the task was registered by its first ingest event, not by its job
 * @param meta small free-form JSON object from the registration, or null
 * @param lastSeq the last event seq of the task's stream (0 before any event)
 * @param windows number of windows of the task (0 when unknown)
 * @param sharedWith users the owner shared the task with, read-only (watch it, read its record);
 *     never null, empty by default (records stored before sharing existed have none)
 * @param stoppable the current run was registered by a job side that ends the process on a stop
 *     request ({@code vizrelay run}, the demo job); false for auto-registered tasks and for records
 *     stored before the field existed
 */
public record TaskRecord(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("user_id") String userId,
    @JsonProperty("project_id") String projectId,
    @JsonProperty("kind") TaskKind kind,
    @JsonProperty("pid") Long pid,
    @JsonProperty("host") String host,
    @JsonProperty("status") TaskStatus status,
    @JsonProperty("created_at") long createdAt,
    @JsonProperty("started_at") long startedAt,
    @JsonProperty("last_seen_at") long lastSeenAt,
    @JsonProperty("finished_at") Long finishedAt,
    @JsonProperty("exit_code") Integer exitCode,
    @JsonProperty("stop_requested") boolean stopRequested,
    @JsonProperty("auto_registered") boolean autoRegistered,
    @JsonProperty("meta") JsonNode meta,
    @JsonProperty("last_seq") long lastSeq,
    @JsonProperty("windows") int windows,
    @JsonProperty("shared_with") List<String> sharedWith,
    @JsonProperty("stoppable") boolean stoppable) {

  @JsonCreator
  public TaskRecord {
    meta =
        meta == null || meta.isNull() ? null : meta; // JSON null decodes as NullNode: one "no meta"
    sharedWith = sharedWith == null ? List.of() : List.copyOf(sharedWith);
  }

  /** A record shared with nobody. */
  public TaskRecord(
      String taskId,
      String userId,
      String projectId,
      TaskKind kind,
      Long pid,
      String host,
      TaskStatus status,
      long createdAt,
      long startedAt,
      long lastSeenAt,
      Long finishedAt,
      Integer exitCode,
      boolean stopRequested,
      boolean autoRegistered,
      JsonNode meta,
      long lastSeq,
      int windows) {
    this(
        taskId,
        userId,
        projectId,
        kind,
        pid,
        host,
        status,
        createdAt,
        startedAt,
        lastSeenAt,
        finishedAt,
        exitCode,
        stopRequested,
        autoRegistered,
        meta,
        lastSeq,
        windows,
        List.of(),
        false);
  }

  /** A record of a job that does not say it ends its process on a stop request. */
  public TaskRecord(
      String taskId,
      String userId,
      String projectId,
      TaskKind kind,
      Long pid,
      String host,
      TaskStatus status,
      long createdAt,
      long startedAt,
      long lastSeenAt,
      Long finishedAt,
      Integer exitCode,
      boolean stopRequested,
      boolean autoRegistered,
      JsonNode meta,
      long lastSeq,
      int windows,
      List<String> sharedWith) {
    this(
        taskId,
        userId,
        projectId,
        kind,
        pid,
        host,
        status,
        createdAt,
        startedAt,
        lastSeenAt,
        finishedAt,
        exitCode,
        stopRequested,
        autoRegistered,
        meta,
        lastSeq,
        windows,
        sharedWith,
        false);
  }
}
