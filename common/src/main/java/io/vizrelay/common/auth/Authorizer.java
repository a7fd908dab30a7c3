package io.vizrelay.common.auth;

import io.vizrelay.common.registry.TaskOwner;
import java.util.Collection;

/**
 * The authorization rules of issue 7, one place for every service. A task belongs to the user named
 * by its id ({@code <user>-<project>}, split at the first {@code -}); an id without {@code -}
 * (visdom's {@code default}) belongs to no user: only admins reach it when auth is on. Admins
 * watch, list, stop and write everything. A scoped credential (an API key or token bound to a
 * project or task) writes only inside its scope. The owner may share a task read-only with other
 * users (the registry record's {@code shared_with}): they may watch it and read its record, never
 * write to it; a scoped credential does not get shared access.
 */
public final class Authorizer {
  /** Most users a task may be shared with. */
  public static final int MAX_SHARED_WITH = 100;

  private Authorizer() {}

  /** The user a task id belongs to ({@link TaskOwner#userOf}), or null when the id names none. */
  public static String ownerOf(String taskId) {
    return TaskOwner.userOf(taskId);
  }

  /** The project part of {@code <user>-<project>} ({@link TaskOwner#projectOf}), or null. */
  public static String projectOf(String taskId) {
    return TaskOwner.projectOf(taskId);
  }

  /**
   * May watch the task's plots and read its registry record as its owner or an admin. A scoped
   * credential (API key, or a token with a {@code project}/{@code task} claim) stays inside its
   * scope, an admin's too.
   */
  public static boolean canWatch(Principal p, String taskId, String owner) {
    return (p.admin() || owner != null && owner.equals(p.userId())) && inScope(p, taskId);
  }

  /**
   * May watch the task and read its record, as owner, admin, or a user it is shared with ({@code
   * sharedWith}, read-only). Use {@link #canWatch(Principal, String, String)} for what only the
   * owner may read (the control poll).
   */
  public static boolean canWatch(
      Principal p, String taskId, String owner, Collection<String> sharedWith) {
    return canWatch(p, taskId, owner) || isSharedWith(p, sharedWith);
  }

  /** True when the task is shared with the principal (an unscoped credential of a listed user). */
  public static boolean isSharedWith(Principal p, Collection<String> sharedWith) {
    return !p.scoped() && sharedWith != null && sharedWith.contains(p.userId());
  }

  /** True when a scoped principal's scope covers the task (always for an unscoped one). */
  public static boolean inScope(Principal p, String taskId) {
    if (p.task() != null && !p.task().equals(taskId)) {
      return false;
    }
    return p.project() == null || p.project().equals(projectOf(taskId));
  }

  /**
   * May write to the task: ingest, browser commands, stop, delete, register, heartbeat, sharing.
   */
  public static boolean canWrite(Principal p, String taskId, String owner) {
    return canWatch(p, taskId, owner);
  }

  public static boolean canWatch(Principal p, String taskId) {
    return canWatch(p, taskId, ownerOf(taskId));
  }

  public static boolean canWrite(Principal p, String taskId) {
    return canWrite(p, taskId, ownerOf(taskId));
  }
}
