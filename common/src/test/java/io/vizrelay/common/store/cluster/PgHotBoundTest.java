package io.vizrelay.common.store.cluster;

import static io.vizrelay.common.store.StoreFixtures.append;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.pg.PgGrid;
import io.vizrelay.common.store.pg.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grid's memory bound ({@code VIZRELAY_HOT_MAX_BYTES}) with PostgreSQL behind it, on two real
 * Hazelcast members and a real PostgreSQL, in both commit modes: with a small bound and many tasks
 * written, each member's owned tasks end under the bound (the least recently used unwatched ones
 * evicted; the idle rule is off), watched tasks stay, an evicted task reads back exact and its
 * writes continue seq and epoch, and a browser resuming with {@code since} across the eviction gets
 * exactly the frames it missed (the ring refilled from PostgreSQL, frames before the last snapshot
 * included).
 */
class PgHotBoundTest {
  static final int TASKS = 24;
  static final int POINTS = 40;
  static final long BOUND = 64 * 1024;
  static final List<String> WATCHED = List.of("alice.watched-0", "alice.watched-1");

  Vertx vertx;
  String url;
  PgGrid pg;
  TestGrid grid;
  final VizConfig config =
      VizConfig.fromEnv(Map.of("VIZRELAY_RETAIN_FRAMES", "50", "VIZRELAY_RETAIN_SECONDS", "0"));

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

  private TaskStore cluster(String commit) throws Exception {
    pg =
        PgGrid.start(
            2,
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
            new HotConfig(Duration.ofHours(1), BOUND));
    grid = pg.grid;
    return pg.store(vertx, config);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void eachMemberKeepsItsTasksUnderTheBound(String commit) throws Exception {
    TaskStore store = cluster(commit);
    WATCHED.forEach(store::watch);
    Map<String, List<Delta>> written = new HashMap<>();
    for (String id : WATCHED) {
      written.put(id, write(store, id)); // written first: the least recently used of all
    }
    for (int t = 0; t < TASKS; t++) {
      String id = "alice.task-" + t;
      written.put(id, write(store, id));
    }
    Map<String, Snapshot> before = new HashMap<>();
    for (String id : written.keySet()) {
      before.put(id, await(store.snapshot(id, "*")));
    }

    assertTrue(
        awaitTrue(
            () -> {
              WATCHED.forEach(id -> assertTrue(inGrid(id), id + " is watched: never evicted"));
              return settled(0) && settled(1);
            },
            60_000),
        "each member's owned tasks end under the bound: " + footprints());
    long evicted = pg.tiers().stream().mapToLong(t -> t.residency().boundUnloads()).sum();
    assertTrue(evicted > 0, "tasks were evicted past the bound");
    assertEquals(evicted, pg.tiers().stream().mapToLong(t -> t.residency().unloads()).sum());
    List<String> cold = written.keySet().stream().filter(id -> !inGrid(id)).toList();
    assertFalse(cold.isEmpty(), "some tasks left the grid");

    for (String id : cold) {
      String epoch = before.get(id).epoch();
      Since since = await(store.since(id, epoch, 10));
      assertFalse(since.gone(), id + ": frames before the last snapshot (25) are back in the ring");
      List<Delta> missed = written.get(id).subList(10, POINTS);
      assertEquals(
          missed.stream().map(Delta::seq).toList(),
          since.deltas().stream().map(Delta::seq).toList());
      for (int k = 0; k < missed.size(); k++) {
        assertArrayEquals(
            missed.get(k).visdom().getBytes(),
            since.deltas().get(k).visdom().getBytes(),
            id + ": the exact frame " + missed.get(k).seq());
      }
      assertEquals(texts(before.get(id)), texts(await(store.snapshot(id, "*"))), "exact state");
      Delta next = await(store.apply(id, append(POINTS))).deltas().get(0);
      assertEquals(epoch, next.epoch(), id + ": the same life of the stream");
      assertEquals(POINTS + 1, next.seq(), id + ": seq continues");
    }
    assertTrue(
        pg.tiers().stream().mapToLong(t -> t.residency().loads()).sum() >= cold.size(),
        "each evicted task was loaded back from PostgreSQL");
  }

  private List<Delta> write(TaskStore store, String id) throws Exception {
    List<Delta> deltas = new ArrayList<>();
    for (int i = 0; i < POINTS; i++) {
      deltas.addAll(await(store.apply(id, append(i))).deltas());
    }
    assertEquals(POINTS, deltas.size());
    return deltas;
  }

  /**
   * Whether member {@code i}'s owned tasks, as their owner measures them, fit in the bound, and its
   * gauges ({@code vizrelay_store_hot_bytes}, {@code _hot_tasks}) say so.
   */
  private boolean settled(int i) {
    GridResidency r = pg.tiers().get(i).residency();
    return ownedBytes(i) <= BOUND
        && r.hotBytes() <= BOUND
        && r.hotBytes() > 0
        && r.hotTasks() == grid.members.get(i).getMap(ClusterTaskStore.MAP).localKeySet().size();
  }

  private long ownedBytes(int i) {
    IMap<String, StoredTask> map = grid.members.get(i).getMap(ClusterTaskStore.MAP);
    long bytes = 0;
    for (GridEviction.Usage u :
        map.executeOnKeys(map.localKeySet(), new GridEviction.UsageOf(false)).values()) {
      bytes += u == null ? 0 : u.bytes;
    }
    return bytes;
  }

  private String footprints() {
    return "member 0: " + ownedBytes(0) + " B, member 1: " + ownedBytes(1) + " B";
  }

  /** Whether any member holds the task (primary or backup), without loading it. */
  private boolean inGrid(String taskId) {
    for (HazelcastInstance m : grid.members) {
      if (m.getMap(ClusterTaskStore.MAP).localKeySet().contains(taskId)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> texts(Snapshot s) {
    return s.frames().stream().map(Buffer::toString).toList();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
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
