package io.vizrelay.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TaskStatus;
import java.util.List;

/**
 * One task's state while a {@link RegistryOp} changes it: built from the stored record, changed by
 * the life-cycle rules below, turned back into a record. Each rule checks first and changes only
 * when the request is accepted, so a rejected request changes nothing. Not thread-safe: an op owns
 * it.
 */
public final class TaskEntry {
  private final String taskId;
  private final long createdAt;
  private String userId;
  private String projectId;
  private TaskKind kind;
  private Long pid;
  private String host;
  private TaskStatus status;
  private long startedAt;
  private long lastSeenAt;
  private Long finishedAt;
  private Integer exitCode;
  private boolean stopRequested;
  private boolean autoRegistered;
  private JsonNode meta;
  private long lastSeq;
  private int windows;
  private List<String> sharedWith = List.of();
  private boolean stoppable;

  private TaskEntry(String taskId, long createdAt) {
    this.taskId = taskId;
    this.createdAt = createdAt;
  }

  /** A task registered by its job ({@code POST /api/tasks}). */
  public static TaskEntry registered(Registration request, long now) {
    TaskEntry entry = new TaskEntry(request.taskId(), now);
    entry.takeRegistration(request);
    entry.startRun(now);
    return entry;
  }

  /** A task first seen through an ingest event: kind train, running, owner by {@link TaskOwner}. */
  public static TaskEntry autoRegistered(TaskSeen seen, TaskOwner owner, long now) {
    TaskEntry entry = new TaskEntry(seen.taskId(), now);
    entry.userId = owner.userId();
    entry.projectId = owner.projectId();
    entry.kind = TaskKind.TRAIN;
    entry.autoRegistered = true;
    entry.startRun(now);
    entry.seen(seen, now);
    return entry;
  }

  public static TaskEntry fromRecord(TaskRecord r) {
    TaskEntry e = new TaskEntry(r.taskId(), r.createdAt());
    e.userId = r.userId();
    e.projectId = r.projectId();
    e.kind = r.kind();
    e.pid = r.pid();
    e.host = r.host();
    e.status = r.status();
    e.startedAt = r.startedAt();
    e.lastSeenAt = r.lastSeenAt();
    e.finishedAt = r.finishedAt();
    e.exitCode = r.exitCode();
    e.stopRequested = r.stopRequested();
    e.autoRegistered = r.autoRegistered();
    e.meta = r.meta();
    e.lastSeq = r.lastSeq();
    e.windows = r.windows();
    e.sharedWith = r.sharedWith();
    e.stoppable = r.stoppable();
    return e;
  }

  public TaskRecord toRecord() {
    return new TaskRecord(
        taskId,
        userId,
        projectId,
        kind,
        pid,
        host,
        status,
        createdAt,
        startedAt,
        lastSeenAt,
        finishedAt,
        exitCode,
        stopRequested,
        autoRegistered,
        meta,
        lastSeq,
        windows,
        sharedWith,
        stoppable);
  }

  public String taskId() {
    return taskId;
  }

  public String userId() {
    return userId;
  }

  public List<String> sharedWith() {
    return sharedWith;
  }

  /** The owner (or an admin) shares the task read-only with exactly these users (validated). */
  public void share(List<String> users) {
    sharedWith = List.copyOf(users);
  }

  /**
   * The job registers a task the registry knows: its fields are refreshed, a lost task runs again
   * and a finished one starts a new run (task ids are reused across runs). A task registered by
   * another user's job is a 409 CONFLICT; an auto-registered one is taken over by its job.
   */
  public void reRegister(Registration request, long now) {
    checkOwner(request);
    takeRegistration(request);
    if (status.finished()) {
      startRun(now);
    } else {
      status = TaskStatus.RUNNING;
      lastSeenAt = Math.max(lastSeenAt, now);
    }
  }

  /**
   * Fails with 409 CONFLICT when {@code request} would move a job-registered task to another user.
   */
  public void checkOwner(Registration request) {
    if (!autoRegistered && !userId.equals(request.owner().userId())) {
      throw new ApiException(ErrorCode.CONFLICT, "task " + taskId + " belongs to another user");
    }
  }

  /** A heartbeat from the job: a lost task runs again; a finished one is a 409 CONFLICT. */
  public void heartbeat(long now) {
    requireNotFinished("heartbeat");
    status = TaskStatus.RUNNING;
    lastSeenAt = Math.max(lastSeenAt, now);
  }

  /** The job finished. Repeating the same report is accepted; a different one is a 409 CONFLICT. */
  public void finish(FinishReport report, long now) {
    if (status.finished()) {
      if (status == report.status() && java.util.Objects.equals(exitCode, report.exitCode())) {
        return;
      }
      throw new ApiException(
          ErrorCode.CONFLICT, "task " + taskId + " already finished as " + status.wire());
    }
    status = report.status();
    exitCode = report.exitCode();
    finishedAt = now;
    lastSeenAt = Math.max(lastSeenAt, now);
  }

  /** A person asks the task to stop (idempotent); a finished task is a 409 CONFLICT. */
  public void requestStop() {
    requireNotFinished("stop");
    stopRequested = true;
  }

  /**
   * Ingest saw events: last seen, last seq and windows move forward; lost runs again; finished
   * stays.
   */
  public void seen(TaskSeen seen, long now) {
    lastSeenAt = Math.max(lastSeenAt, Math.min(seen.seenAt(), now));
    lastSeq = Math.max(lastSeq, seen.lastSeq());
    if (seen.windows() >= 0) {
      windows = seen.windows();
    }
    if (status == TaskStatus.LOST) {
      status = TaskStatus.RUNNING;
    }
  }

  /** A running task unseen since before {@code cutoff} becomes lost; true when it did. */
  public boolean markLostIfSilent(long cutoff) {
    if (status == TaskStatus.RUNNING && lastSeenAt < cutoff) {
      status = TaskStatus.LOST;
      return true;
    }
    return false;
  }

  private void takeRegistration(Registration request) {
    if (userId != null && !userId.equals(request.owner().userId())) {
      sharedWith = List.of(); // a new owner did not share it
    }
    userId = request.owner().userId();
    projectId = request.owner().projectId();
    kind = request.kind();
    pid = request.pid();
    host = request.host();
    meta = request.meta();
    stoppable = request.stoppable();
    autoRegistered = false;
  }

  private void startRun(long now) {
    status = TaskStatus.RUNNING;
    startedAt = now;
    lastSeenAt = now;
    finishedAt = null;
    exitCode = null;
    stopRequested = false;
  }

  private void requireNotFinished(String what) {
    if (status.finished()) {
      throw new ApiException(
          ErrorCode.CONFLICT,
          "task " + taskId + " is finished (" + status.wire() + "): no " + what);
    }
  }
}
