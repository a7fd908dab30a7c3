package io.vizrelay.taskinfo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vizrelay.common.model.TaskRecord;
import java.util.List;

/** Body of {@code GET /api/tasks}: one page of the matching tasks, running first, then newest. */
record TaskPage(
    @JsonProperty("tasks") List<TaskRecord> tasks,
    @JsonProperty("total") int total,
    @JsonProperty("limit") int limit,
    @JsonProperty("offset") int offset) {}
