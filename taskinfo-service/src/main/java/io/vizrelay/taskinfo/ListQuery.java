package io.vizrelay.taskinfo;

import io.vertx.core.MultiMap;
import io.vizrelay.common.auth.Authorizer;
import io.vizrelay.common.auth.Principal;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.registry.TaskOwner;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Query of {@code GET /api/tasks}: whose tasks, which statuses, which project, which page.
 *
 * @param userId owner; defaults to the principal (with {@code VIZRELAY_AUTH=none}, {@code
 *     VIZRELAY_USER})
 * @param status which statuses to list (default {@code all})
 * @param projectId only this project, or null for every project
 * @param limit page size, 1..{@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT})
 * @param offset tasks skipped, at least 0 (default 0)
 * @param scope {@code own} (default): the tasks {@code userId} owns; {@code shared}: the tasks
 *     other users shared with {@code userId} (read-only)
 * @param credential a scoped credential's bounds ({@link #within}): only tasks inside them are
 *     listed; null for none
 */
record ListQuery(
    String userId,
    StatusFilter status,
    String projectId,
    int limit,
    int offset,
    Scope scope,
    Principal credential) {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  /** The {@code scope} query parameter. */
  enum Scope {
    OWN,
    SHARED
  }

  /** The {@code status} query parameter. */
  enum StatusFilter {
    RUNNING(s -> s == TaskStatus.RUNNING),
    FINISHED(TaskStatus::finished),
    LOST(s -> s == TaskStatus.LOST),
    ALL(s -> true);

    private final Predicate<TaskStatus> accepts;

    StatusFilter(Predicate<TaskStatus> accepts) {
      this.accepts = accepts;
    }

    boolean accepts(TaskStatus status) {
      return accepts.test(status);
    }
  }

  ListQuery(
      String userId, StatusFilter status, String projectId, int limit, int offset, Scope scope) {
    this(userId, status, projectId, limit, offset, scope, null);
  }

  /**
   * This query limited to what a scoped credential may see ({@link Authorizer#inScope}); unchanged
   * for others.
   */
  ListQuery within(Principal p) {
    return p.scoped() ? new ListQuery(userId, status, projectId, limit, offset, scope, p) : this;
  }

  static ListQuery parse(MultiMap params, String principal) {
    String user = params.get("user_id") == null ? principal : params.get("user_id");
    String project = params.get("project_id");
    if (!TaskOwner.isValidId(user)) {
      throw Bodies.invalid("user_id must be 1-128 letters, digits or . _ : @ -");
    }
    if (project != null && !TaskOwner.isValidId(project)) {
      throw Bodies.invalid("project_id must be 1-128 letters, digits or . _ : @ -");
    }
    return new ListQuery(
        user,
        statusFilter(params.get("status")),
        project,
        intParam(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        intParam(params, "offset", 0, 0, Integer.MAX_VALUE),
        scope(params.get("scope")));
  }

  /** True when {@code task} belongs in this query's result (before paging). */
  boolean matches(TaskRecord task) {
    return (scope == Scope.SHARED
            ? task.sharedWith().contains(userId)
            : task.userId().equals(userId))
        && status.accepts(task.status())
        && (projectId == null || projectId.equals(task.projectId()))
        && (credential == null || Authorizer.inScope(credential, task.taskId()));
  }

  private static StatusFilter statusFilter(String value) {
    if (value == null) {
      return StatusFilter.ALL;
    }
    try {
      return StatusFilter.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid("status must be running, finished, lost or all");
    }
  }

  private static Scope scope(String value) {
    if (value == null) {
      return Scope.OWN;
    }
    try {
      return Scope.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid("scope must be own or shared");
    }
  }

  /** An integer query parameter in [min, max]; anything else is 400 INVALID_FIELD. */
  static int intParam(MultiMap params, String name, int def, int min, int max) {
    String value = params.get(name);
    if (value == null) {
      return def;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Bodies.invalid(name + " must be an integer in [" + min + ", " + max + "]");
  }
}
