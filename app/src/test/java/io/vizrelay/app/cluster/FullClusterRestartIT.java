package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.pg.TestPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL behind the grid: three node JVMs, a job posting, a browser watching; all three are
 * killed with SIGKILL at once and three fresh ones started. Every acknowledged point is back
 * exactly once, the registry entry (meta, status, stop request, shared_with) is intact, the stream
 * keeps its epoch and its seq continues, and a browser resuming with its old {@code since} gets
 * exactly the frames it missed (the ring of a task loaded from PostgreSQL is refilled with its last
 * retained frames).
 */
class FullClusterRestartIT {
  static final String TASK = "restart-pg";
  static final String WIN = "loss";
  static final int POINTS = 120;

  @TempDir Path dir;
  ClusterHarness cluster;
  String pgUrl;
  final List<Process> processes = new ArrayList<>();
  Vertx clientVertx;
  WebSocketClient ws;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterHarness(dir, 3);
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
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    ClusterHarness.await(clientVertx.close(), 30);
  }

  /** Starts the three nodes (fresh JVMs) and returns their HTTP ports. */
  private List<Integer> startAll(String round) throws Exception {
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = cluster.env(i);
      env.put("VIZRELAY_PG_URL", pgUrl);
      env.put("VIZRELAY_PG_POOL_SIZE", "3");
      env.put("VIZRELAY_PG_SNAPSHOT_FRAMES", "50");
      // the restart may take minutes on a loaded machine: the job must not be marked lost meanwhile
      env.put("VIZRELAY_LOST_AFTER_SECONDS", "3600");
      Files.deleteIfExists(Path.of(env.get("VIZRELAY_DATA_DIR")).resolve("port"));
      Process p =
          ClusterHarness.startNodeProcess(env, dir.resolve("node" + i + "-" + round + ".log"));
      processes.add(p);
      started.add(p);
    }
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ports.add(awaitPort(i, started.get(i), round));
    }
    return ports;
  }

  private int awaitPort(int index, Process p, String round) throws Exception {
    Path file = Path.of(cluster.env(index).get("VIZRELAY_DATA_DIR")).resolve("port");
    long deadline = System.currentTimeMillis() + 180_000;
    while (!Files.exists(file)) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "node "
                + index
                + " did not start: "
                + Files.readString(dir.resolve("node" + index + "-" + round + ".log")));
      }
      Thread.sleep(100);
    }
    return Integer.parseInt(Files.readString(file).trim());
  }

  private int put(int port, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return cluster.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void killingEveryNodeAtOnceLosesNothingAcknowledged() throws Exception {
    List<Integer> ports = startAll("first");
    int registered =
        cluster
            .post(
                ports.get(0),
                "/api/tasks",
                "{\"task_id\":\"" + TASK + "\",\"kind\":\"train\",\"meta\":{\"lr\":0.25}}")
            .status();
    assertTrue(registered == 200 || registered == 201, "registered: " + registered);
    assertEquals(
        200,
        put(
            ports.get(1),
            "/api/tasks/" + TASK + "/shared_with",
            "{\"users\":[\"bob\",\"carol\"]}"));
    assertEquals(200, cluster.post(ports.get(2), "/api/tasks/" + TASK + "/stop", "{}").status());
    JsonNode before = Json.parse(cluster.get(ports.get(0), "/api/tasks/" + TASK).body().getBytes());

    assertEquals(
        200, cluster.post(ports.get(0), "/update", ClusterHarness.point(TASK, WIN, 0, 0)).status());
    WsBrowser browser =
        ClusterHarness.await(WsBrowser.connect(ws, ports.get(1), "/socket?task_id=" + TASK), 30);
    assertTrue(browser.await(f -> "sync".equals(f.path("command").asText()), 30_000));
    for (int i = 1; i < POINTS; i++) {
      assertEquals(
          200,
          cluster.post(ports.get(i % 3), "/update", ClusterHarness.point(TASK, WIN, i, i)).status(),
          "point " + i + " acknowledged");
    }
    long last = ClusterHarness.lastSeq(ws, ports.get(2), TASK);
    assertTrue(browser.awaitSeq(last, 60_000), "the browser saw every frame");
    StreamView watched = new StreamView();
    watched.consume(browser.frames());
    String epoch = watched.epoch;

    for (Process p : processes) {
      p.destroyForcibly(); // SIGKILL, all three at once
    }
    for (Process p : processes) {
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
    processes.clear();

    List<Integer> fresh = startAll("second");
    JsonNode after = Json.parse(cluster.get(fresh.get(2), "/api/tasks/" + TASK).body().getBytes());
    for (String field :
        List.of(
            "meta", "status", "stop_requested", "shared_with", "user_id", "kind", "created_at")) {
      assertEquals(before.path(field), after.path(field), field + " survived the restart");
    }
    assertEquals("[\"bob\",\"carol\"]", after.path("shared_with").toString());
    assertTrue(after.path("stop_requested").asBoolean());
    assertEquals(0.25, after.path("meta").path("lr").asDouble());
    assertEquals(
        last, ClusterHarness.lastSeq(ws, fresh.get(0), TASK), "the stream ends where it did");

    // a browser that had seen up to last - 10 resumes with its old since=
    long old = last - 10;
    WsBrowser resumed =
        ClusterHarness.await(
            WsBrowser.connect(
                ws, fresh.get(1), "/socket?task_id=" + TASK + "&since=" + epoch + ":" + old),
            30);
    assertTrue(resumed.awaitSeq(last, 60_000), "the resumed browser reaches seq " + last);
    JsonNode sync =
        resumed.frames().stream()
            .filter(f -> "sync".equals(f.path("command").asText()))
            .findFirst()
            .orElseThrow();
    assertEquals(epoch, sync.path("epoch").asText(), "the same life of the stream");
    // the ring of a task loaded from PostgreSQL is refilled with its last VIZRELAY_RETAIN_FRAMES
    // frames (those before the last snapshot included), so last - 10 is always resumable
    assertFalse(
        "snapshot".equals(sync.path("mode").asText()),
        "resumed from the refilled ring, not a snapshot: " + sync);
    assertEquals(old, sync.path("seq").asLong(), "the resume starts where the browser was");
    List<Long> missed =
        resumed.frames().stream()
            .filter(WsBrowser::isLive)
            .map(f -> f.path("seq").asLong())
            .toList();
    assertEquals(
        LongStream.rangeClosed(old + 1, last).boxed().toList(),
        missed,
        "exactly the missed frames");
    assertEquals(
        200,
        cluster
            .post(fresh.get(0), "/update", ClusterHarness.point(TASK, WIN, POINTS, POINTS))
            .status());
    assertTrue(resumed.awaitSeq(last + 1, 30_000), "seq continues at " + (last + 1));
    WsBrowser late =
        ClusterHarness.await(WsBrowser.connect(ws, fresh.get(2), "/socket?task_id=" + TASK), 30);
    assertTrue(
        late.await(f -> WIN.equals(f.path("id").asText()) && f.has("content"), 30_000),
        "the snapshot's window");
    JsonNode lateSync =
        late.frames().stream()
            .filter(f -> "sync".equals(f.path("command").asText()))
            .findFirst()
            .orElseThrow();
    assertEquals(last + 1, lateSync.path("seq").asLong());
    StreamView state = new StreamView();
    state.consume(late.frames());
    assertEquals(
        IntStream.rangeClosed(0, POINTS).mapToObj(i -> (double) i).toList(),
        state.xs(WIN),
        "every acknowledged point exactly once");
  }
}
