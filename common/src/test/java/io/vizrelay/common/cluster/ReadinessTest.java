package io.vizrelay.common.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.cluster.ClusterState;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** /readiness from this member's own state, on real Hazelcast members. */
class ReadinessTest {

  @Test
  void aJoinedRunningMemberIsReadyUntilItDrains() throws Exception {
    try (TestGrid grid = new TestGrid(1)) {
      HazelcastInstance hz = grid.startMember();
      AtomicBoolean draining = new AtomicBoolean();
      Readiness readiness = new Readiness(hz, draining::get, null);
      assertEquals(
          Map.of(
              "not-draining",
              true,
              "member-running",
              true,
              "member-joined",
              true,
              "cluster-writable",
              true),
          readiness.checks());
      draining.set(true);
      assertEquals(false, readiness.checks().get("not-draining"));
    }
  }

  @Test
  void aMemberWithoutTheQuorumIsNotReadyAndBecomesReadyWhenASecondJoins() throws Exception {
    try (TestGrid grid = new TestGrid(2)) {
      HazelcastInstance first = start(grid, 0);
      Readiness readiness = new Readiness(first, () -> false, HazelcastSetup.QUORUM);
      awaitCheck(readiness, "quorum", false);
      start(grid, 1);
      TestGrid.awaitSize(first, 2);
      awaitCheck(readiness, "quorum", true);
      assertEquals(false, readiness.checks().containsValue(false), readiness.checks().toString());
    }
  }

  @Test
  void aFrozenOrStoppedMemberIsNotReady() throws Exception {
    try (TestGrid grid = new TestGrid(1)) {
      HazelcastInstance hz = grid.startMember();
      Readiness readiness = new Readiness(hz, () -> false, null);
      hz.getCluster().changeClusterState(ClusterState.FROZEN);
      assertEquals(false, readiness.checks().get("cluster-writable"));
      hz.getCluster().changeClusterState(ClusterState.ACTIVE);
      assertEquals(true, readiness.checks().get("cluster-writable"));
      hz.getLifecycleService().terminate();
      assertEquals(Map.of("not-draining", true, "member-running", false), readiness.checks());
    }
  }

  @Test
  void aMemberWhosePostgresqlRefusesCommitsIsNotReadyAndSaysWhy() throws Exception {
    try (TestGrid grid = new TestGrid(1)) {
      HazelcastInstance hz = grid.startMember();
      AtomicReference<String> down = new AtomicReference<>();
      Readiness readiness = new Readiness(hz, () -> false, null, down::get);
      assertEquals(true, readiness.checks().get("postgresql"));
      down.set("Connection to 127.0.0.1:5432 refused");
      assertEquals(false, readiness.checks().get("postgresql"));
      assertEquals("Connection to 127.0.0.1:5432 refused", readiness.databaseDown());
      assertEquals(
          false,
          new Readiness(hz, () -> false, null).checks().containsKey("postgresql"),
          "no check without a PostgreSQL tier");
    }
  }

  /** A member with split-brain protection of 2 members (VIZRELAY_HZ_MIN_CLUSTER_SIZE=2). */
  private static HazelcastInstance start(TestGrid grid, int index) {
    Map<String, String> env = new LinkedHashMap<>(grid.env(index));
    env.put("VIZRELAY_HZ_MIN_CLUSTER_SIZE", "2");
    HazelcastInstance hz =
        Hazelcast.newHazelcastInstance(HazelcastSetup.config(ClusterConfig.fromEnv(env)));
    grid.members.add(hz);
    return hz;
  }

  /**
   * Split-brain protection is re-evaluated on membership events: wait (30 s at most) for the
   * outcome.
   */
  private static void awaitCheck(Readiness readiness, String check, boolean expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (readiness.checks().get(check) != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(check + " never became " + expected + ": " + readiness.checks());
      }
      Thread.sleep(20);
    }
  }
}
