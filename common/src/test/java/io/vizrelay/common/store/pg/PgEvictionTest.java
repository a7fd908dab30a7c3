package io.vizrelay.common.store.pg;

import static io.vizrelay.common.store.StoreFixtures.append;
import static io.vizrelay.common.store.pg.PgTaskStoreTest.await;
import static io.vizrelay.common.store.pg.PgTaskStoreTest.points;
import static io.vizrelay.common.store.pg.PgTaskStoreTest.pointsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Idle eviction of the grid with PostgreSQL behind it, on real Hazelcast members and a real
 * PostgreSQL, in both commit modes: a task nobody uses or watches for {@code
 * VIZRELAY_HOT_IDLE_SECONDS} leaves the grid (primary and backup), a watched one stays; the evicted
 * one comes back on access with the exact same snapshot, its epoch, and its seq continues.
 */
class PgEvictionTest {
  static final String COLD = "alice.cold";
  static final String WATCHED = "alice.watched";

  Vertx vertx;
  String url;
  PgGrid pg;
  TestGrid grid;
  final VizConfig config =
      VizConfig.fromEnv(Map.of("VIZRELAY_RETAIN_FRAMES", "5000", "VIZRELAY_RETAIN_SECONDS", "0"));

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    url = TestPostgres.shared().newDatabase();
  }

  @AfterEach
  void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private TaskStore cluster(int n, String commit) throws Exception {
    pg =
        PgGrid.start(
            n,
            Map.of(
                "VIZRELAY_PG_URL",
                url,
                "VIZRELAY_PG_COMMIT",
                commit,
                "VIZRELAY_PG_POOL_SIZE",
                "2",
                "VIZRELAY_PG_SNAPSHOT_FRAMES",
                "25"),
            config,
            new HotConfig(Duration.ofSeconds(1), Long.MAX_VALUE));
    grid = pg.grid;
    return pg.store(vertx, config);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void anIdleUnwatchedTaskLeavesTheGridAndComesBackExact(String commit) throws Exception {
    TaskStore store = cluster(2, commit);
    store.watch(WATCHED);
    for (int i = 0; i < 60; i++) {
      await(store.apply(COLD, append(i)));
    }
    await(store.apply(WATCHED, append(0)));
    Snapshot before = await(store.snapshot(COLD, "*"));
    assertEquals(60, before.seq());

    assertTrue(awaitTrue(() -> !inGrid(COLD), 60_000), "the idle task left every member");
    assertTrue(inGrid(WATCHED), "the watched one, idle as long, stays");

    Snapshot after = await(store.snapshot(COLD, "*"));
    assertEquals(before.epoch(), after.epoch(), "same life of the stream");
    assertEquals(60, after.seq());
    assertEquals(texts(before.frames()), texts(after.frames()), "the exact snapshot");
    assertTrue(inGrid(COLD), "loaded back on access");
    assertEquals(
        61, await(store.apply(COLD, append(60))).deltas().get(0).seq(), "seq continues at 61");
    assertEquals(points(61), pointsOf(await(store.snapshot(COLD, "*"))));
    assertEquals(before.epoch(), await(store.stats(COLD)).epoch());

    store.unwatch(WATCHED);
    assertTrue(
        awaitTrue(() -> !inGrid(WATCHED), 60_000), "unwatched, it leaves too once its lease ends");
    assertEquals(1, await(store.stats(WATCHED)).lastSeq());
  }

  /** Whether any member holds the task (primary or backup), without loading it. */
  private boolean inGrid(String taskId) {
    for (HazelcastInstance m : grid.members) {
      if (m.getMap(ClusterTaskStore.MAP).getLocalMapStats().getOwnedEntryCount() > 0
          && m.getMap(ClusterTaskStore.MAP).localKeySet().contains(taskId)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> texts(List<Buffer> frames) {
    return frames.stream().map(Buffer::toString).toList();
  }

  private static boolean awaitTrue(BooleanSupplier condition, long timeoutMs)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
