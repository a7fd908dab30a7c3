package io.vizrelay.common.auth;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A principal carried in event-bus headers, for bus APIs that act for a user (e.g. a browser
 * session switching env, {@link io.vizrelay.common.bus.Addresses#session}). The receiver checks it
 * with {@link Authorizer}; a message without it is refused. The event bus itself is trusted
 * (in-process, or a cluster on a private network).
 */
public final class BusPrincipal {
  static final String USER = "vizrelay-user";
  static final String ROLES = "vizrelay-roles";
  static final String PROJECT = "vizrelay-project";
  static final String TASK = "vizrelay-task";

  private BusPrincipal() {}

  public static DeliveryOptions headers(Principal p, DeliveryOptions options) {
    options.addHeader(USER, p.userId()).addHeader(ROLES, String.join(",", p.roles()));
    if (p.project() != null) {
      options.addHeader(PROJECT, p.project());
    }
    if (p.task() != null) {
      options.addHeader(TASK, p.task());
    }
    return options;
  }

  /** The principal in the headers, or null. */
  public static Principal from(MultiMap headers) {
    String user = headers.get(USER);
    if (user == null) {
      return null;
    }
    String roles = headers.get(ROLES);
    Set<String> set = new LinkedHashSet<>();
    if (roles != null && !roles.isEmpty()) {
      set.addAll(Arrays.asList(roles.split(",")));
    }
    return new Principal(user, set, headers.get(PROJECT), headers.get(TASK), "bus:" + user);
  }

  /** True when the headers carry a principal that may watch {@code taskId}. */
  public static boolean mayWatch(MultiMap headers, String taskId) {
    Principal p = from(headers);
    return p != null && Authorizer.canWatch(p, taskId);
  }
}
