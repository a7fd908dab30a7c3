package io.vizrelay.common.auth;

import java.util.Set;

/**
 * Who a request acts for, after authentication.
 *
 * @param userId the user (the {@code <user>} of {@code <user>-<project>} task ids)
 * @param roles e.g. {@value #ADMIN}
 * @param project when set, the credential may write only to this project's tasks
 * @param task when set, the credential may write only to this task
 * @param credential what rate limits count against (the user, or one API key)
 */
public record Principal(
    String userId, Set<String> roles, String project, String task, String credential) {
  /** The role that may watch, list and stop every task. */
  public static final String ADMIN = "admin";

  public Principal {
    roles = Set.copyOf(roles);
  }

  /** The identity of every request when auth is off: the configured user, as admin. */
  public static Principal local(String userId) {
    return new Principal(userId, Set.of(ADMIN), null, null, "local");
  }

  public boolean admin() {
    return roles.contains(ADMIN);
  }

  /** True when the credential is limited to one project or task. */
  public boolean scoped() {
    return project != null || task != null;
  }
}
