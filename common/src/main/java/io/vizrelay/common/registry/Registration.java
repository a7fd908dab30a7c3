package io.vizrelay.common.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.model.TaskKind;

/**
 * A validated registration ({@code POST /api/tasks}): owner resolved, kind parsed, meta checked.
 * Travels to the registry's partition owner inside {@link RegistryOp.Register}. {@code stoppable}:
 * the job's side ends the process when a stop is requested ({@code vizrelay run}, the demo job, or
 * a job that polls {@code control} itself and says so), so the page can tell Stop really stops it.
 */
public record Registration(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("owner") TaskOwner owner,
    @JsonProperty("kind") TaskKind kind,
    @JsonProperty("pid") Long pid,
    @JsonProperty("host") String host,
    @JsonProperty("meta") JsonNode meta,
    @JsonProperty("stoppable") boolean stoppable) {

  public Registration {
    meta =
        meta == null || meta.isNull() ? null : meta; // JSON null decodes as NullNode: one "no meta"
  }

  /** A registration of a job that does not say it ends its process on a stop request. */
  public Registration(
      String taskId, TaskOwner owner, TaskKind kind, Long pid, String host, JsonNode meta) {
    this(taskId, owner, kind, pid, host, meta, false);
  }
}
