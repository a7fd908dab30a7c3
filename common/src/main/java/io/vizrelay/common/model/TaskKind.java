package io.vizrelay.common.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a task runs: {@code train}, {@code test} or {@code eval} (lower case on the wire). */
public enum TaskKind {
  TRAIN,
  TEST,
  EVAL;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind named {@code value} (case-insensitive); IllegalArgumentException when unknown. */
  @JsonCreator
  public static TaskKind of(String value) {
    return TaskKind.valueOf(value.toUpperCase(Locale.ROOT));
  }
}
