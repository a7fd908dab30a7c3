package io.vizrelay.common.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.model.TaskKind;

/**
 * A validated registration ({@code POST /api/tasks}): owner resolved, kind parsed, meta checked.
 * Travels to the registry's partition owner inside {@link RegistryOp.Register}.
 */
public record Registration(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("owner") TaskOwner owner,
    @JsonProperty("kind") TaskKind kind,
    @JsonProperty("pid") Long pid,
    @JsonProperty("host") String host,
    @JsonProperty("meta") JsonNode meta) {

  public Registration {
    meta = meta == null || meta.isNull() ? null : meta; // JSON null decodes as NullNode: one "no meta"
  }
}
