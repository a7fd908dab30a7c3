package io.vizrelay.common.store.pg;

import static io.vizrelay.common.store.StoreFixtures.append;
import static io.vizrelay.common.store.pg.PgTaskStoreTest.await;
import static io.vizrelay.common.store.pg.PgTaskStoreTest.points;
import static io.vizrelay.common.store.pg.PgTaskStoreTest.pointsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.store.TaskStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code VIZRELAY_PG_COMMIT=async} on real Hazelcast members and a real PostgreSQL: applies are
 * acknowledged from the grid while PostgreSQL is down, until the oldest unwritten one is {@code
 * VIZRELAY_PG_MAX_LAG_SECONDS} old: then 503, nothing applied; once PostgreSQL is back the writer
 * catches up (lag 0), applies are taken again, and a full-cluster restart finds every acknowledged
 * point exactly once.
 */
class PgAsyncTest {
  static final String TASK = "alice.async";

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
    TestPostgres.shared().start();
    fullStop();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private TaskStore cluster(int n) throws Exception {
    pg =
        PgGrid.start(
            n,
            Map.of(
                "VIZRELAY_PG_URL", url,
                "VIZRELAY_PG_COMMIT", "async",
                "VIZRELAY_PG_MAX_LAG_SECONDS", "2",
                "VIZRELAY_PG_POOL_SIZE", "2",
                "VIZRELAY_PG_SNAPSHOT_FRAMES", "40",
                "VIZRELAY_PG_CONNECT_TIMEOUT_SECONDS", "1"),
            config,
            null);
    grid = pg.grid;
    return pg.store(vertx, config);
  }

  private void fullStop() {
    if (pg != null) {
      pg.close();
      pg = null;
      grid = null;
    }
  }

  @Test
  void writesBehindWithABoundedLagAndCatchesUpAfterAnOutage() throws Exception {
    TaskStore store = cluster(2);
    for (int i = 0; i < 30; i++) {
      await(store.apply(TASK, append(i)));
    }
    assertTrue(awaitTrue(() -> stored() == 30, 30_000), "written behind: " + stored());
    assertTrue(awaitTrue(() -> maxLag() == 0, 30_000), "caught up: lag 0");

    TestPostgres.shared().kill();
    int acked = 30;
    ApiException refused = null;
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (refused == null && System.currentTimeMillis() < deadline) {
        try {
          await(store.apply(TASK, append(acked)));
          acked++;
        } catch (ExecutionException e) {
          refused = (ApiException) e.getCause();
        }
      }
      assertTrue(refused != null, "the lag bound was never reached");
      assertEquals(ErrorCode.UNAVAILABLE, refused.code(), refused.toString());
      assertTrue(refused.getMessage().contains("VIZRELAY_PG_MAX_LAG_SECONDS"), refused.toString());
      assertTrue(acked > 30, "acknowledged from the grid while PostgreSQL was down: " + acked);
      assertTrue(maxLag() >= 2, "the lag is reported: " + maxLag());
      assertEquals(
          points(acked),
          pointsOf(await(store.snapshot(TASK, "*"))),
          "the refused apply changed nothing");
    } finally {
      TestPostgres.shared().start();
    }
    final int total = acked;
    assertTrue(awaitTrue(() -> maxLag() == 0, 60_000), "caught up after the outage");
    assertEquals(total, stored(), "every acknowledged frame once in PostgreSQL");
    await(store.apply(TASK, append(total)));
    assertTrue(awaitTrue(() -> stored() == total + 1, 30_000));

    fullStop();
    TaskStore again = cluster(1);
    assertEquals(total + 1, await(again.stats(TASK)).lastSeq(), "seq as acknowledged");
    assertEquals(points(total + 1), pointsOf(await(again.snapshot(TASK, "*"))), "every point once");
    assertEquals(
        total + 2,
        await(again.apply(TASK, append(total + 1))).deltas().get(0).seq(),
        "seq continues");
  }

  private double maxLag() {
    return pg.tiers().stream().mapToDouble(PgTier::lagSeconds).max().orElse(0);
  }

  /** Distinct frames of the task in PostgreSQL (0 while it is down). */
  private long stored() {
    String db = url.substring(url.lastIndexOf('/') + 1);
    try (Connection c =
            DriverManager.getConnection(TestPostgres.shared().jdbcUrl(db), "postgres", "");
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(DISTINCT seq) FROM frames WHERE task_id = '" + TASK + "'")) {
      r.next();
      return r.getLong(1);
    } catch (Exception e) {
      return 0;
    }
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
