package io.vizrelay.common.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vizrelay.common.model.TaskStatus;

/**
 * A validated finish report ({@code POST /api/tasks/{id}/finish}): a finished status and the exit
 * code.
 */
public record FinishReport(
    @JsonProperty("status") TaskStatus status, @JsonProperty("exit_code") Integer exitCode) {}
