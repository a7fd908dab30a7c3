package io.vizrelay.common.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import java.util.List;

/**
 * One change to one task of the registry, as a pure function of the task before: the single place
 * the life-cycle rules are applied, by the embedded registry under its lock and by the grid
 * registry inside an entry processor on the task's partition owner (and again on its backup). Every
 * input that is not the stored task, the clock and the owner's room included, is a field, so
 * applying the same op to the same task always gives the same result.
 *
 * <p>Ops travel as JSON (the {@code op} property names the kind).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RegistryOp.Register.class, name = "register"),
  @JsonSubTypes.Type(value = RegistryOp.Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = RegistryOp.Finish.class, name = "finish"),
  @JsonSubTypes.Type(value = RegistryOp.Stop.class, name = "stop"),
  @JsonSubTypes.Type(value = RegistryOp.Share.class, name = "share"),
  @JsonSubTypes.Type(value = RegistryOp.Delete.class, name = "delete"),
  @JsonSubTypes.Type(value = RegistryOp.Seen.class, name = "seen"),
  @JsonSubTypes.Type(value = RegistryOp.MarkLost.class, name = "mark_lost")
})
public sealed interface RegistryOp {

  /**
   * The task after this op.
   *
   * @param before the stored task, or null when the registry has none
   * @return the task to store, or null for none (deleted, or still absent)
   * @throws ApiException when the op is refused; the task is then unchanged
   */
  TaskRecord apply(String taskId, TaskRecord before);

  /**
   * A job registers its task: a new one is created, a known one refreshed or restarted ({@link
   * TaskEntry#reRegister}).
   *
   * @param ownerHasRoom the registering user is below {@code maxTasksPerUser} (checked when the
   *     task is new or changes owner)
   */
  record Register(
      @JsonProperty("registration") Registration registration,
      @JsonProperty("now") long now,
      @JsonProperty("owner_has_room") boolean ownerHasRoom,
      @JsonProperty("max_tasks") int maxTasksPerUser)
      implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      String user = registration.owner().userId();
      if (before == null) {
        requireRoom(user);
        return TaskEntry.registered(registration, now).toRecord();
      }
      TaskEntry entry = TaskEntry.fromRecord(before);
      entry.checkOwner(registration);
      if (!user.equals(before.userId())) {
        requireRoom(user);
      }
      entry.reRegister(registration, now);
      return entry.toRecord();
    }

    private void requireRoom(String user) {
      if (!ownerHasRoom) {
        throw new ApiException(
            ErrorCode.LIMIT_EXCEEDED,
            "user " + user + " already has " + maxTasksPerUser + " tasks; delete some first");
      }
    }
  }

  /** The job's heartbeat. */
  record Heartbeat(@JsonProperty("now") long now) implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      TaskEntry entry = existing(taskId, before);
      entry.heartbeat(now);
      return entry.toRecord();
    }
  }

  /** The job reports how its run ended. */
  record Finish(@JsonProperty("report") FinishReport report, @JsonProperty("now") long now)
      implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      TaskEntry entry = existing(taskId, before);
      entry.finish(report, now);
      return entry.toRecord();
    }
  }

  /** A person asks the task to stop. */
  record Stop() implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      TaskEntry entry = existing(taskId, before);
      entry.requestStop();
      return entry.toRecord();
    }
  }

  /**
   * The owner sets the users the task is shared with, read-only ({@code users} validated by the
   * caller).
   */
  record Share(@JsonProperty("users") List<String> users) implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      TaskEntry entry = existing(taskId, before);
      entry.share(users);
      return entry.toRecord();
    }
  }

  /** The task leaves the registry. */
  record Delete() implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      existing(taskId, before);
      return null;
    }
  }

  /**
   * Ingest saw events of the task: a known task is seen; an unknown one is auto-registered (owner
   * by {@link TaskOwner#fromTaskId}) when {@code mayCreate}, else stays absent.
   */
  record Seen(
      @JsonProperty("seen") TaskSeen seen,
      @JsonProperty("principal") String principal,
      @JsonProperty("now") long now,
      @JsonProperty("may_create") boolean mayCreate)
      implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      if (before == null) {
        return mayCreate
            ? TaskEntry.autoRegistered(seen, TaskOwner.fromTaskId(taskId, principal), now)
                .toRecord()
            : null;
      }
      TaskEntry entry = TaskEntry.fromRecord(before);
      entry.seen(seen, now);
      return entry.toRecord();
    }
  }

  /**
   * A running task last seen before {@code cutoff} becomes lost; anything else is left as it is.
   */
  record MarkLost(@JsonProperty("cutoff") long cutoff) implements RegistryOp {
    @Override
    public TaskRecord apply(String taskId, TaskRecord before) {
      if (before == null) {
        return null;
      }
      TaskEntry entry = TaskEntry.fromRecord(before);
      return entry.markLostIfSilent(cutoff) ? entry.toRecord() : before;
    }
  }

  /** The task's entry, or 404 TASK_NOT_FOUND. */
  private static TaskEntry existing(String taskId, TaskRecord before) {
    if (before == null) {
      throw notFound(taskId);
    }
    return TaskEntry.fromRecord(before);
  }

  static ApiException notFound(String taskId) {
    return new ApiException(ErrorCode.TASK_NOT_FOUND, "task " + taskId + " does not exist");
  }
}
