package io.vizrelay.common.model;

import java.util.List;

/** One batch of heartbeats on {@link io.vizrelay.common.bus.Addresses#TASKS_SEEN}, as JSON. */
public record TasksSeen(List<TaskSeen> tasks) {}
