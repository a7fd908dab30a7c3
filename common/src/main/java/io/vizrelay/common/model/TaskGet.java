package io.vizrelay.common.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Request on {@link io.vizrelay.common.bus.Addresses#TASK_GET} (body: a Buffer of this record's
 * JSON). The reply body is a Buffer of the {@link TaskRecord} JSON; an unknown task fails the reply
 * with code 404, a malformed request with code 400.
 */
public record TaskGet(@JsonProperty("task_id") String taskId) {}
