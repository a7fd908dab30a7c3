package io.vizrelay.common.auth;

/**
 * The authorization rules of issue 7, one place for every service. A task belongs to the user
 * named by its id ({@code <user>-<project>}, split at the first {@code -}); an id without
 * {@code -} (visdom's {@code default}) belongs to no user: only admins reach it when auth is on.
 * Admins watch, list, stop and write everything. A scoped credential (an API key or token bound
 * to a project or task) writes only inside its scope.
 */
public final class Authorizer {
  private Authorizer() {}

  /** The user a task id belongs to by convention, or null when the id names none. */
  public static String ownerOf(String taskId) {
    int dash = taskId.indexOf('-');
    return dash <= 0 ? null : taskId.substring(0, dash);
  }

  /** The project part of {@code <user>-<project>}, or null. */
  public static String projectOf(String taskId) {
    int dash = taskId.indexOf('-');
    return dash < 0 || dash == taskId.length() - 1 ? null : taskId.substring(dash + 1);
  }

  /** May watch the task's plots and read its registry record. */
  public static boolean canWatch(Principal p, String taskId, String owner) {
    return p.admin() || owner != null && owner.equals(p.userId()) && inScope(p, taskId);
  }

  /** May write to the task: ingest, browser commands, stop, delete, register, heartbeat. */
  public static boolean canWrite(Principal p, String taskId, String owner) {
    return canWatch(p, taskId, owner);
  }

  public static boolean canWatch(Principal p, String taskId) {
    return canWatch(p, taskId, ownerOf(taskId));
  }

  public static boolean canWrite(Principal p, String taskId) {
    return canWrite(p, taskId, ownerOf(taskId));
  }

  private static boolean inScope(Principal p, String taskId) {
    if (p.task() != null && !p.task().equals(taskId)) {
      return false;
    }
    return p.project() == null || p.project().equals(projectOf(taskId));
  }
}
