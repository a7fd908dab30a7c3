package io.vizrelay.common.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Published by taskinfo on {@link io.vizrelay.common.bus.Addresses#TASK_STATUS} (body: a Buffer of
 * this record's JSON) whenever a task's status changes, including its registration ({@code
 * previous_status} null) and a stop request ({@code stop_requested} turning true while the status
 * stays the same). The socket service forwards it to the task's browsers as a {@code
 * {"command":"task_status",...}} frame.
 *
 * @param taskId the task
 * @param userId its owner
 * @param projectId its project, or null
 * @param status the new status
 * @param previousStatus the status before, or null when the task was just registered
 * @param stopRequested whether a stop is requested
 * @param exitCode the exit code once finished, else null
 * @param changedAt when the change happened (epoch ms)
 */
public record TaskStatusChange(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("user_id") String userId,
    @JsonProperty("project_id") String projectId,
    @JsonProperty("status") TaskStatus status,
    @JsonProperty("previous_status") TaskStatus previousStatus,
    @JsonProperty("stop_requested") boolean stopRequested,
    @JsonProperty("exit_code") Integer exitCode,
    @JsonProperty("changed_at") long changedAt) {}
