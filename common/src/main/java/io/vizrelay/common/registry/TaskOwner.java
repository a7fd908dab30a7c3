package io.vizrelay.common.registry;

import io.vizrelay.common.config.VizConfig;

/**
 * The user and project a task belongs to: the one owner rule, used by the registry, ingest and the
 * sockets (through {@code Authorizer}).
 *
 * <p>A task id follows the {@code <user>-<project>} convention and is split at its <em>first</em>
 * {@code -}: {@code alice-mnist-v2} is user {@code alice}, project {@code mnist-v2}; {@code alice-}
 * has no project. An id without {@code -} (visdom's default task {@code default}) names no user
 * ({@link #userOf} is null): with authentication on only admins reach it, and the registry records
 * it as owned by {@link #UNOWNED}, a name no user can have. With {@code VIZRELAY_AUTH=none} every
 * request is the local admin ({@code VIZRELAY_USER}), and the registry records it as theirs ({@link
 * #unownedUser}). Its project, in the registry record, is the whole id.
 *
 * @param userId never null
 * @param projectId null when there is none
 */
public record TaskOwner(String userId, String projectId) {
  /**
   * The registry owner of a task whose id names no user, when authentication is on. It contains
   * {@code :}, which user names may not, so no user can be it; admins list such tasks by it.
   */
  public static final String UNOWNED = "unowned:";

  /** The user a task id names ({@code <user>-...}), or null when it names none. */
  public static String userOf(String taskId) {
    int dash = taskId.indexOf('-');
    return dash <= 0 ? null : taskId.substring(0, dash);
  }

  /** The project part of {@code <user>-<project>}; null when the id names no user or no project. */
  public static String projectOf(String taskId) {
    int dash = taskId.indexOf('-');
    return dash < 0 || dash == taskId.length() - 1 ? null : taskId.substring(dash + 1);
  }

  /**
   * Who the registry records as owner of an id that names no user: {@link #UNOWNED}, or the local
   * user with auth off.
   */
  public static String unownedUser(VizConfig config) {
    return config.auth().enabled() ? UNOWNED : config.user();
  }

  /**
   * The registry owner by the rule above; {@code unowned} is {@link #unownedUser} of the process.
   */
  public static TaskOwner fromTaskId(String taskId, String unowned) {
    String user = userOf(taskId);
    if (user == null) {
      return new TaskOwner(unowned, taskId);
    }
    return new TaskOwner(user, projectOf(taskId));
  }

  /** User and project ids use the task id alphabet ({@link VizConfig#isValidTaskId}). */
  public static boolean isValidId(String id) {
    return VizConfig.isValidTaskId(id);
  }
}
