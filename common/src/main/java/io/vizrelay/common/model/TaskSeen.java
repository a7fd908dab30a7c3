package io.vizrelay.common.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Ingest saw an event for a task: the heartbeat taskinfo turns into {@code last_seen_at} and
 * auto-registration. Sent in batches ({@link TasksSeen}), never one bus message per event.
 */
public record TaskSeen(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("seen_at") long seenAt,
    @JsonProperty("last_seq") long lastSeq,
    @JsonProperty("windows") int windows,
    @JsonProperty("events") long events) {}
