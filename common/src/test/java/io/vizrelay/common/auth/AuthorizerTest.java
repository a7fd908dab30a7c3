package io.vizrelay.common.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ownership and scope rules of {@link Authorizer}. */
class AuthorizerTest {
  static Principal user(String id) {
    return new Principal(id, Set.of(), null, null, id);
  }

  @Test
  void aUserReachesOnlyTasksNamedAfterThem() {
    assertTrue(Authorizer.canWatch(user("alice"), "alice-mnist"));
    assertTrue(Authorizer.canWrite(user("alice"), "alice-mnist-v2"));
    assertFalse(Authorizer.canWatch(user("alice"), "bob-mnist"));
    assertFalse(
        Authorizer.canWatch(user("ali"), "alice-mnist"), "a prefix of the owner is not the owner");
    assertFalse(Authorizer.canWatch(user("alice"), "alicemnist"), "no dash: no owner");
    assertFalse(Authorizer.canWatch(user("alice"), "default"));
  }

  @Test
  void anAdminReachesEverything() {
    Principal root = new Principal("root", Set.of(Principal.ADMIN), null, null, "root");
    assertTrue(Authorizer.canWrite(root, "bob-x"));
    assertTrue(Authorizer.canWatch(root, "default"));
  }

  @Test
  void aScopedCredentialWritesOnlyInsideItsScope() {
    Principal task = new Principal("alice", Set.of(), null, "alice-a", "k");
    assertTrue(Authorizer.canWrite(task, "alice-a"));
    assertFalse(Authorizer.canWrite(task, "alice-b"));
    Principal project = new Principal("alice", Set.of(), "mnist", null, "k");
    assertTrue(Authorizer.canWrite(project, "alice-mnist"));
    assertFalse(Authorizer.canWrite(project, "alice-cifar"));
  }

  /** Issue 20 item 8: an admin token bound to a project or task stays inside that scope. */
  @Test
  void anAdminsScopeIsHonoured() {
    Principal scopedRoot = new Principal("root", Set.of(Principal.ADMIN), null, "bob-x", "root");
    assertTrue(Authorizer.canWrite(scopedRoot, "bob-x"));
    assertFalse(Authorizer.canWrite(scopedRoot, "bob-y"));
    assertFalse(Authorizer.canWatch(scopedRoot, "default"));
    Principal projectRoot = new Principal("root", Set.of(Principal.ADMIN), "mnist", null, "root");
    assertTrue(Authorizer.canWatch(projectRoot, "carol-mnist"));
    assertFalse(Authorizer.canWatch(projectRoot, "carol-cifar"));
  }

  @Test
  void aSharedTaskIsWatchableNeverWritable() {
    java.util.List<String> shared = java.util.List.of("bob");
    assertTrue(Authorizer.canWatch(user("bob"), "alice-a", "alice", shared));
    assertFalse(Authorizer.canWrite(user("bob"), "alice-a", "alice"), "sharing is read-only");
    assertFalse(Authorizer.canWatch(user("carol"), "alice-a", "alice", shared));
    assertFalse(
        Authorizer.canWatch(user("bob"), "alice-a", "alice"),
        "the owner-only check ignores sharing");
    Principal bobsKey = new Principal("bob", Set.of(), null, "bob-x", "k");
    assertFalse(
        Authorizer.canWatch(bobsKey, "alice-a", "alice", shared),
        "a scoped credential gets no shared access");
    assertFalse(Authorizer.canWatch(user("bob"), "alice-a", "alice", null));
  }

  @Test
  void busHeadersCarryThePrincipal() {
    Principal p = new Principal("alice", Set.of("x"), "mnist", null, "k");
    io.vertx.core.eventbus.DeliveryOptions o =
        BusPrincipal.headers(p, new io.vertx.core.eventbus.DeliveryOptions());
    assertTrue(BusPrincipal.mayWatch(o.getHeaders(), "alice-mnist"));
    assertFalse(BusPrincipal.mayWatch(o.getHeaders(), "bob-mnist"));
    assertFalse(
        BusPrincipal.mayWatch(io.vertx.core.MultiMap.caseInsensitiveMultiMap(), "alice-mnist"),
        "no principal, no access");
  }
}
