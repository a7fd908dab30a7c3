package io.vizrelay.common.auth;

import static io.vizrelay.common.auth.ConnectionCountsTest.granted;
import static io.vizrelay.common.auth.ConnectionCountsTest.refused;
import static io.vizrelay.common.auth.ConnectionCountsTest.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vizrelay.common.cluster.TestGrid;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Socket counts in a real Hazelcast cluster of 2–3 members in this JVM ({@link TestGrid}): claims
 * made on every member at once stay within the limit, and the counts of a member that leaves
 * (terminated without a word, as a crash) are freed, whether it was the oldest member or not.
 */
class ConnectionGridTest {
  static final int MAX = 4;
  static final String KEY = "browser:alice";

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void concurrentClaimsOnEveryMemberStayWithinMax() throws Exception {
    try (TestGrid cluster = new TestGrid(3)) {
      List<ConnectionGrid> grids = new ArrayList<>();
      HazelcastInstance first = null;
      for (int i = 0; i < 3; i++) {
        HazelcastInstance member = cluster.startMember();
        first = first == null ? member : first;
        grids.add(ConnectionGrid.start(member));
      }
      TestGrid.awaitSafe(first);
      List<Future<Boolean>> claims = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        claims.add(grids.get(i % 3).claim(KEY, MAX));
      }
      int granted = 0;
      List<Integer> grantedOn = new ArrayList<>();
      for (int i = 0; i < claims.size(); i++) {
        if (await(claims.get(i))) {
          granted++;
          grantedOn.add(i % 3);
        }
      }
      assertEquals(MAX, granted, "30 claims from 3 members at once: exactly the limit granted");
      assertEquals(MAX, await(grids.get(1).total(KEY)));
      assertFalse(await(grids.get(2).claim(KEY, MAX)), "at the limit");
      assertTrue(await(grids.get(0).claim("job:alice", MAX)), "job sockets are counted apart");
      await(grids.get(grantedOn.get(0)).release(KEY));
      assertEquals(MAX - 1, await(grids.get(0).total(KEY)));
      assertTrue(await(grids.get(2).claim(KEY, MAX)), "a released socket makes room");
      assertFalse(await(grids.get(0).claim(KEY, MAX)));
    }
  }

  @Test
  void aMemberThatLeavesNoLongerCounts() throws Exception {
    try (TestGrid cluster = new TestGrid(3)) {
      List<HazelcastInstance> members = new ArrayList<>();
      List<ConnectionGrid> grids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        members.add(cluster.startMember());
        grids.add(ConnectionGrid.start(members.get(i)));
      }
      TestGrid.awaitSafe(
          members.get(0)); // partitions settled: a first claim during migration can pass the
      // 5 s claim timeout on a loaded 2-core machine (seen in CI)
      // the oldest holds 1, the second 1, the youngest 2: at the limit
      assertTrue(await(grids.get(0).claim(KEY, MAX)));
      assertTrue(await(grids.get(1).claim(KEY, MAX)));
      assertTrue(await(grids.get(2).claim(KEY, MAX)));
      assertTrue(await(grids.get(2).claim(KEY, MAX)));
      assertFalse(await(grids.get(0).claim(KEY, MAX)));

      TestGrid.awaitSafe(members.get(0)); // every count has its backup before a member crashes
      members.get(2).getLifecycleService().terminate(); // a crash: no release is sent
      awaitTotal(grids.get(0), MAX - 2);
      assertTrue(await(grids.get(0).claim(KEY, MAX)));
      assertTrue(await(grids.get(1).claim(KEY, MAX)));
      assertFalse(await(grids.get(1).claim(KEY, MAX)), "the survivors' own counts still hold");

      TestGrid.awaitSafe(
          members.get(1)); // backups re-made on the two survivors (else a second crash loses
      // the entries with it, which is Hazelcast's documented limit, not this rule's)
      members.get(0).getLifecycleService().terminate(); // the oldest, holding 2
      awaitTotal(grids.get(1), MAX - 2);
      assertTrue(await(grids.get(1).claim(KEY, MAX)));
      assertTrue(await(grids.get(1).claim(KEY, MAX)));
      assertFalse(await(grids.get(1).claim(KEY, MAX)));
    }
  }

  @Test
  void aGridThatDoesNotAnswerFallsBackToThisNodesCount() throws Exception {
    try (TestGrid cluster = new TestGrid(1)) {
      HazelcastInstance member = cluster.startMember();
      ConnectionCounts counts =
          new ConnectionCounts(
              ConnectionCounts.Kind.BROWSER, true, 2, ConnectionGrid.start(member));
      ConnectionCounts.Lease inGrid = granted(settled(counts.acquire(user("alice"))));
      member.getLifecycleService().terminate();
      inGrid.release(); // the grid is gone: logged, the node's count still drops
      assertEquals(0, counts.open("alice"));
      ConnectionCounts.Lease a = granted(settled(counts.acquire(user("alice"))));
      granted(settled(counts.acquire(user("alice"))));
      refused(settled(counts.acquire(user("alice"))));
      a.release();
      granted(settled(counts.acquire(user("alice"))));
    }
  }

  /** {@code f} once complete, as a future again (for the granted/refused checks). */
  private static Future<ConnectionCounts.Lease> settled(Future<ConnectionCounts.Lease> f)
      throws Exception {
    try {
      return Future.succeededFuture(await(f));
    } catch (java.util.concurrent.ExecutionException e) {
      return Future.failedFuture(e.getCause());
    }
  }

  /** Waits (bounded) until the membership change freed the counts of the member that left. */
  private static void awaitTotal(ConnectionGrid grid, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int total;
    while ((total = await(grid.total(KEY))) != expected) {
      assertTrue(System.nanoTime() < deadline, "still " + total + " counted, expected " + expected);
      Thread.sleep(20); // polling interval, not a synchronisation
    }
  }
}
