package io.vizrelay.common.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Life-cycle status of a task, written in lower case on the wire.
 *
 * <pre>
 *   (registered or first event) -> running
 *   running --unseen for lost-after--> lost --event or heartbeat--> running
 *   running | lost --finish--> succeeded | failed | stopped   (final for this run)
 *   finished --explicit registration--> running                (a new run of the same task id)
 * </pre>
 */
public enum TaskStatus {
  RUNNING,
  LOST,
  SUCCEEDED,
  FAILED,
  STOPPED;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status named {@code value} (case-insensitive); IllegalArgumentException when unknown. */
  @JsonCreator
  public static TaskStatus of(String value) {
    return TaskStatus.valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** True for the final statuses a finish report sets: succeeded, failed, stopped. */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == STOPPED;
  }
}
