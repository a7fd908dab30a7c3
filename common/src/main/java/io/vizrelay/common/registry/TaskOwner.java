package io.vizrelay.common.registry;

import io.vizrelay.common.config.VizConfig;

/**
 * The user and project a task belongs to.
 *
 * <p>The auto-registration rule (a task first seen through an ingest event, or registered without a
 * {@code user_id}): the task id follows the {@code <user>-<project>} convention and is split at its
 * <em>first</em> {@code -}: {@code alice-mnist-v2} is user {@code alice}, project {@code mnist-v2}.
 * An id without {@code -} (for example visdom's default task {@code default}) belongs to the request's
 * principal (the signed-in user or job; with {@code VIZRELAY_AUTH=none}, {@code VIZRELAY_USER}); its
 * project is the whole id. An id ending in its first {@code -} ({@code alice-}) has no project.
 *
 * @param userId never null
 * @param projectId null when there is none
 */
public record TaskOwner(String userId, String projectId) {

  /** The owner by the rule above; {@code principal} stands for the requester without a {@code -}. */
  public static TaskOwner fromTaskId(String taskId, String principal) {
    int dash = taskId.indexOf('-');
    if (dash < 0) {
      return new TaskOwner(principal, taskId);
    }
    String project = taskId.substring(dash + 1);
    return new TaskOwner(taskId.substring(0, dash), project.isEmpty() ? null : project);
  }

  /** User and project ids use the task id alphabet ({@link VizConfig#isValidTaskId}). */
  public static boolean isValidId(String id) {
    return VizConfig.isValidTaskId(id);
  }
}
