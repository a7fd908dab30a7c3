package io.vizrelay.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TaskOwnerTest {
  @Test
  void userAndProjectAreSplitAtTheFirstDash() {
    assertEquals(new TaskOwner("alice", "mnist"), TaskOwner.fromTaskId("alice-mnist", "carol"));
    assertEquals(new TaskOwner("alice", "mnist-v2-final"), TaskOwner.fromTaskId("alice-mnist-v2-final", "carol"));
  }

  @Test
  void anIdWithoutADashBelongsToThePrincipal() {
    assertEquals(new TaskOwner("carol", "default"), TaskOwner.fromTaskId("default", "carol"));
  }

  @Test
  void anIdEndingInItsFirstDashHasNoProject() {
    assertEquals(new TaskOwner("alice", null), TaskOwner.fromTaskId("alice-", "carol"));
  }
}
