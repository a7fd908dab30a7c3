package io.vizrelay.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TaskOwnerTest {
  @Test
  void userAndProjectAreSplitAtTheFirstDash() {
    assertEquals(new TaskOwner("alice", "mnist"), TaskOwner.fromTaskId("alice-mnist", "carol"));
    assertEquals(
        new TaskOwner("alice", "mnist-v2-final"),
        TaskOwner.fromTaskId("alice-mnist-v2-final", "carol"));
  }

  @Test
  void anIdWithoutADashBelongsToThePrincipal() {
    assertEquals(new TaskOwner("carol", "default"), TaskOwner.fromTaskId("default", "carol"));
  }

  @Test
  void anIdWithoutADashNamesNoUser() {
    assertEquals(null, TaskOwner.userOf("default"));
    assertEquals(null, TaskOwner.projectOf("default"));
    assertEquals("alice", TaskOwner.userOf("alice-mnist-v2"));
    assertEquals("mnist-v2", TaskOwner.projectOf("alice-mnist-v2"));
  }

  /**
   * Issue 20 item 2: with auth on, the registry records such a task as nobody's user, never
   * VIZRELAY_USER.
   */
  @Test
  void withAuthOnAnIdWithoutADashIsRecordedAsUnowned() {
    io.vizrelay.common.config.VizConfig jwt =
        io.vizrelay.common.config.VizConfig.fromEnv(
            java.util.Map.of(
                "VIZRELAY_AUTH",
                "jwt",
                "VIZRELAY_JWT_HS256_SECRET",
                "0123456789abcdef0123456789abcdef",
                "VIZRELAY_USER",
                "demo"));
    assertEquals(TaskOwner.UNOWNED, TaskOwner.unownedUser(jwt));
    assertEquals(
        TaskOwner.UNOWNED, TaskOwner.fromTaskId("default", TaskOwner.unownedUser(jwt)).userId());
    org.junit.jupiter.api.Assertions.assertFalse(
        io.vizrelay.common.auth.UsersFile.isValidUserId(TaskOwner.UNOWNED),
        "no user can be called like the unowned marker");
    org.junit.jupiter.api.Assertions.assertTrue(
        TaskOwner.isValidId(TaskOwner.UNOWNED), "admins can list by it");
    io.vizrelay.common.config.VizConfig none =
        io.vizrelay.common.config.VizConfig.fromEnv(java.util.Map.of("VIZRELAY_USER", "demo"));
    assertEquals("demo", TaskOwner.unownedUser(none));
  }

  @Test
  void anIdEndingInItsFirstDashHasNoProject() {
    assertEquals(new TaskOwner("alice", null), TaskOwner.fromTaskId("alice-", "carol"));
  }
}
