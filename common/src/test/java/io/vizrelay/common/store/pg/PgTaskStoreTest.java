package io.vizrelay.common.store.pg;

import static io.vizrelay.common.store.StoreFixtures.append;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster task store with PostgreSQL behind the grid, on real Hazelcast members and a real
 * PostgreSQL: a full-cluster restart keeps every acknowledged frame (state, epoch, seq, the frames
 * the last retained frames for {@code since}); a PostgreSQL outage fails writes with 503 and leaves
 * neither a hole nor a duplicate.
 */
class PgTaskStoreTest {
  static final String TASK = "alice.pg";

  Vertx vertx;
  String url;
  final List<PgGrid> grids = new ArrayList<>();
  final VizConfig config =
      VizConfig.fromEnv(Map.of("VIZRELAY_RETAIN_FRAMES", "5000", "VIZRELAY_RETAIN_SECONDS", "0"));

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    url = TestPostgres.shared().newDatabase();
  }

  @AfterEach
  void stop() throws Exception {
    grids.forEach(PgGrid::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private TaskStore cluster(int n) throws Exception {
    PgGrid pg =
        PgGrid.start(
            n,
            Map.of(
                "VIZRELAY_PG_URL", url,
                "VIZRELAY_PG_POOL_SIZE", "2",
                "VIZRELAY_PG_SNAPSHOT_FRAMES", "100",
                "VIZRELAY_PG_CONNECT_TIMEOUT_SECONDS", "2"),
            config,
            null);
    grids.add(pg);
    return pg.store(vertx, config);
  }

  private void fullStop() {
    grids.forEach(PgGrid::close);
    grids.clear();
  }

  @Test
  void aFullClusterRestartKeepsEveryAcknowledgedFrame() throws Exception {
    TaskStore store = cluster(2);
    String epoch = null;
    for (int i = 0; i < 250; i++) {
      epoch = await(store.apply(TASK, append(i))).deltas().get(0).epoch();
    }
    await(store.apply("bob.other", append(1)));
    Snapshot before = await(store.snapshot(TASK, "*"));
    assertEquals(250, before.seq());
    fullStop();

    TaskStore again = cluster(2);
    TaskStore.TaskStats stats = await(again.stats(TASK));
    assertEquals(epoch, stats.epoch(), "the same life of the stream");
    assertEquals(250, stats.lastSeq());
    Snapshot after = await(again.snapshot(TASK, "*"));
    assertEquals(texts(before.frames()), texts(after.frames()), "the same state, every point once");
    Since since = await(again.since(TASK, epoch, 240));
    assertFalse(since.gone(), "frames after the last snapshot (at 200) are back in the ring");
    assertEquals(
        List.of(241L, 242L, 243L, 244L, 245L, 246L, 247L, 248L, 249L, 250L),
        since.deltas().stream().map(Delta::seq).toList());
    // the ring is refilled from PostgreSQL with the last VIZRELAY_RETAIN_FRAMES (5000) frames,
    // those before the last snapshot included: a browser that saw up to 150 before the restart
    // resumes gaplessly (before the ring refill this was a recovered:false snapshot)
    Since older = await(again.since(TASK, epoch, 150));
    assertFalse(older.gone(), "frames before the last snapshot are back in the ring too");
    assertEquals(
        LongStream.rangeClosed(151, 250).boxed().toList(),
        older.deltas().stream().map(Delta::seq).toList());
    assertEquals(251, await(again.apply(TASK, append(250))).deltas().get(0).seq(), "seq continues");
    assertEquals(1, await(again.stats("bob.other")).lastSeq());
    assertNull(await(again.stats("nobody")));
    assertEquals(points(251), pointsOf(await(again.snapshot(TASK, "*"))));

    assertTrue(await(again.delete(TASK)));
    fullStop();
    TaskStore third = cluster(1);
    assertNull(await(third.stats(TASK)), "a deleted task stays deleted");
    assertEquals(0, count("frames WHERE task_id = '" + TASK + "'"));
  }

  @Test
  void aPostgresOutageFailsWritesWithNoHoleAndNoDuplicate() throws Exception {
    TestPostgres pg = TestPostgres.shared();
    TaskStore store = cluster(2);
    for (int i = 0; i < 10; i++) {
      await(store.apply(TASK, append(i)));
    }
    pg.stop();
    try {
      for (int i = 0; i < 3; i++) {
        try {
          await(store.apply(TASK, append(100 + i)));
          fail("acknowledged while PostgreSQL is down");
        } catch (ExecutionException e) {
          assertTrue(
              e.getCause() instanceof ApiException api && api.code() == ErrorCode.UNAVAILABLE,
              e.toString());
        }
      }
      assertTrue(
          grids.stream().flatMap(g -> g.tiers().stream()).anyMatch(t -> t.health() != null),
          "readiness can say why");
    } finally {
      pg.start();
    }
    // the client retries its refused point until it is acknowledged
    long seq = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (seq < 0) {
      try {
        seq = await(store.apply(TASK, append(10))).deltas().get(0).seq();
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
    assertEquals(11, seq, "no refused frame was kept: no hole, no duplicate");
    assertEquals(points(11), pointsOf(await(store.snapshot(TASK, "*"))));
    assertEquals(11, count("frames WHERE task_id = '" + TASK + "'"));
    fullStop();
    assertEquals(
        points(11), pointsOf(await(cluster(1).snapshot(TASK, "*"))), "and so after a full restart");
  }

  private long count(String from) throws Exception {
    String db = url.substring(url.lastIndexOf('/') + 1);
    try (Connection c =
            DriverManager.getConnection(TestPostgres.shared().jdbcUrl(db), "postgres", "");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + from)) {
      r.next();
      return r.getLong(1);
    }
  }

  static List<Double> points(int n) {
    List<Double> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add((double) i);
    }
    return xs;
  }

  /** The x values of the {@code loss} window's trace in a snapshot. */
  static List<Double> pointsOf(Snapshot s) {
    for (Buffer b : s.frames()) {
      ObjectNode m = (ObjectNode) Json.parse(b.getBytes());
      if ("loss".equals(m.path("id").asText()) && m.has("content")) {
        List<Double> xs = new ArrayList<>();
        m.path("content").path("data").get(0).path("x").forEach(x -> xs.add(x.asDouble()));
        return xs;
      }
    }
    throw new AssertionError("no loss window in " + texts(s.frames()));
  }

  private static List<String> texts(List<Buffer> frames) {
    return frames.stream().map(Buffer::toString).toList();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
