package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.pg.TestPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped mid-stream ({@code pg_ctl stop -m immediate}) under two clustered nodes while
 * a job posts continuously and a browser watches: ingest answers 503 with {@code Retry-After} and a
 * JSON error, {@code /readiness} says PostgreSQL is down and why; once it is started again the job
 * (retrying its refused point) goes on, and every acknowledged point is stored and shown exactly
 * once, with no gap in the seqs.
 */
class PgOutageIT {
  static final String TASK = "pg-outage";
  static final String WIN = "loss";

  @TempDir Path dir;
  ClusterHarness cluster;
  String pgUrl;
  Vertx clientVertx;
  WebSocketClient ws;
  Job job;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterHarness(dir, 2);
    pgUrl = TestPostgres.shared().newDatabase();
    clientVertx = Vertx.vertx();
    ws =
        clientVertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(64 * 1024 * 1024)
                .setMaxFrameSize(64 * 1024 * 1024));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (job != null) {
        job.finish();
      }
      TestPostgres.shared().start();
      cluster.close();
    } finally {
      ClusterHarness.await(clientVertx.close(), 30);
    }
  }

  @Test
  void postgresStoppedMidStreamAndRestartedLosesNothingAcknowledgedAndDuplicatesNothing()
      throws Exception {
    Map<String, String> pg =
        Map.of(
            "VIZRELAY_PG_URL", pgUrl,
            "VIZRELAY_PG_POOL_SIZE", "3",
            "VIZRELAY_PG_CONNECT_TIMEOUT_SECONDS", "2",
            "VIZRELAY_PG_SNAPSHOT_FRAMES", "20");
    ClusterNode n1 = cluster.startNode(pg);
    ClusterNode n2 = cluster.startNode(pg);
    List<Integer> ports = List.of(n1.port(), n2.port());
    assertEquals(
        200, cluster.post(n1.port(), "/update", ClusterHarness.point(TASK, WIN, 0, 0)).status());
    WsBrowser browser =
        ClusterHarness.await(WsBrowser.connect(ws, n2.port(), "/socket?task_id=" + TASK), 30);
    assertTrue(browser.await(f -> "sync".equals(f.path("command").asText()), 30_000));

    job = new Job(cluster, ports, 1);
    job.start();
    assertTrue(job.awaitAcked(30, 60_000), "the job streams: " + job.acked());
    TestPostgres.shared().kill();
    Refusal refused;
    try {
      refused = job.awaitRefusal(60_000);
      assertEquals(503, refused.status(), refused.toString());
      assertTrue(refused.retryAfter() >= 1, "Retry-After: " + refused);
      assertEquals(
          "UNAVAILABLE",
          refused.body().path("error").path("code").asText(),
          refused.body().toString());
      assertTrue(
          awaitTrue(() -> anyPostgresqlDown(ports), 30_000),
          "a node's /readiness says PostgreSQL is down, and why");
    } finally {
      TestPostgres.shared().start();
    }
    int ackedAtRestart = job.acked();
    assertTrue(
        job.awaitAcked(ackedAtRestart + 30, 120_000), "work resumes after the restart: " + job);
    int acked = job.finish();
    assertNull(job.unexpected, "every answer was 200 or 503: " + job.unexpected);
    assertTrue(job.refusals >= 1);
    assertTrue(awaitTrue(() -> allReady(ports), 30_000), "every node ready again");
    assertTrue(
        cluster.get(n1.port(), "/metrics").body().contains("vizrelay_pg_lag_seconds "),
        "the lag gauge is exported");

    long last = ClusterHarness.lastSeq(ws, n1.port(), TASK);
    assertEquals(acked, last, "one frame per acknowledged point, no refused one kept");
    assertTrue(browser.awaitSeq(last, 60_000), "the watching browser got every frame");
    StreamView watched = new StreamView();
    watched.consume(browser.frames());
    assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), watched.seqs, "no gap");
    List<Double> expected = IntStream.range(0, acked).mapToObj(i -> (double) i).toList();
    assertEquals(expected, watched.xs(WIN), "the watcher has every acknowledged point once");

    WsBrowser late =
        ClusterHarness.await(WsBrowser.connect(ws, n2.port(), "/socket?task_id=" + TASK), 30);
    assertTrue(late.await(f -> WIN.equals(f.path("id").asText()) && f.has("content"), 30_000));
    StreamView fresh = new StreamView();
    fresh.consume(late.frames());
    assertEquals(expected, fresh.xs(WIN), "and so has a fresh snapshot");
    assertEquals(List.of(last, last), storedSeqs(), "PostgreSQL holds seqs 1.." + last + " once");
  }

  /** The count and the highest seq of the task's frames in PostgreSQL. */
  private List<Long> storedSeqs() throws Exception {
    String db = pgUrl.substring(pgUrl.lastIndexOf('/') + 1);
    try (Connection c =
            DriverManager.getConnection(TestPostgres.shared().jdbcUrl(db), "postgres", "");
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(DISTINCT seq), max(seq) FROM frames WHERE task_id = '"
                    + TASK
                    + "'")) {
      r.next();
      return List.of(r.getLong(1), r.getLong(2));
    }
  }

  private boolean anyPostgresqlDown(List<Integer> ports) throws Exception {
    for (int port : ports) {
      ClusterHarness.Response r = cluster.get(port, "/readiness");
      for (JsonNode check : Json.parse(r.body().getBytes()).path("checks")) {
        if (r.status() == 503
            && "postgresql".equals(check.path("id").asText())
            && "DOWN".equals(check.path("status").asText())
            && !check.path("data").path("reason").asText().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean allReady(List<Integer> ports) throws Exception {
    for (int port : ports) {
      if (cluster.get(port, "/readiness").status() != 200) {
        return false;
      }
    }
    return true;
  }

  /** Polls {@code condition} until it holds or {@code timeoutMs} passes. */
  private static boolean awaitTrue(Check condition, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.holds()) {
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  @FunctionalInterface
  interface Check {
    boolean holds() throws Exception;
  }

  /** One refused answer the job got. */
  record Refusal(int status, long retryAfter, JsonNode body) {}

  /**
   * A training job: posts point x = next, alternating nodes; on 200 moves to the next point, on 503
   * retries the same point after the server's {@code Retry-After} (client behaviour, as visdom
   * clients are told to). Any other answer, or no answer (an outcome the job cannot know), stops it
   * and is reported.
   */
  static final class Job extends Thread {
    private final ClusterHarness cluster;
    private final List<Integer> ports;
    private int next;
    private volatile boolean stopping;
    private Refusal firstRefusal;
    int refusals;
    volatile String unexpected;

    Job(ClusterHarness cluster, List<Integer> ports, int first) {
      super("pg-outage-job");
      this.cluster = cluster;
      this.ports = ports;
      this.next = first;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (!stopping) {
          int port = ports.get(next % ports.size());
          HttpResponse<String> r = post(port, ClusterHarness.point(TASK, WIN, next, next));
          if (r.statusCode() == 200) {
            synchronized (this) {
              next++;
              notifyAll();
            }
          } else if (r.statusCode() == 503) {
            long retryAfter = r.headers().firstValueAsLong("Retry-After").orElse(-1);
            synchronized (this) {
              refusals++;
              if (firstRefusal == null) {
                firstRefusal = new Refusal(503, retryAfter, Json.parse(r.body().getBytes()));
              }
              notifyAll();
            }
            Thread.sleep(Math.max(1, retryAfter) * 1000); // the client honours Retry-After
          } else {
            unexpected = r.statusCode() + " " + r.body();
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        unexpected = e.toString();
      } finally {
        synchronized (this) {
          stopping = true;
          notifyAll();
        }
      }
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/update"))
              .timeout(Duration.ofSeconds(90))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      return cluster.http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Points acknowledged so far (point 0 was posted before the job). */
    synchronized int acked() {
      return next;
    }

    synchronized boolean awaitAcked(int n, long timeoutMs) throws InterruptedException {
      return awaitState(() -> next >= n, timeoutMs);
    }

    synchronized Refusal awaitRefusal(long timeoutMs) throws InterruptedException {
      assertTrue(awaitState(() -> firstRefusal != null, timeoutMs), "no 503 came: " + this);
      return firstRefusal;
    }

    private boolean awaitState(BooleanSupplier done, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!done.getAsBoolean() && !stopping) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      return done.getAsBoolean();
    }

    /** Stops after the request in flight is answered; returns the number of points acknowledged. */
    int finish() throws InterruptedException {
      stopping = true; // the request in flight is answered first
      join(120_000);
      return acked();
    }

    @Override
    public synchronized String toString() {
      return "job at point " + next + ", " + refusals + " refusals, unexpected=" + unexpected;
    }
  }
}
