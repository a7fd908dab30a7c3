package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vizrelay.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 item 3: graceful drain on SIGTERM. Three node JVMs (ingest + socket + taskinfo each)
 * under load: a job posts points (a failed request is retried once on the next node), six browsers
 * watch (two per node) and reconnect with {@code since=} when closed. Every node is restarted in
 * turn with SIGTERM; the next restart waits for the replacement to serve and for the cluster to be
 * safe (every {@code /health/cluster} 200). A draining node answers {@code /readiness} 503 while
 * {@code /health} stays 200, closes its browsers with 1001 and a {@code since=} hint, and exits
 * within the shutdown timeout; no request fails after its retry, and every browser ends with every
 * acknowledged point exactly once.
 */
class RollingRestartIT {
  static final String TASK = "carol-rolling";
  static final String WIN = "loss";
  static final int NODES = 3;

  /** As {@link ClusterHarness#env}: VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS. */
  static final int SHUTDOWN_TIMEOUT_S = 10;

  /**
   * VIZRELAY_DRAIN_DELAY_SECONDS here: long enough to observe the 503 readiness before the listener
   * goes.
   */
  static final int DRAIN_DELAY_S = 1;

  static final Pattern PHASE =
      Pattern.compile(
          "drain: (HTTP server closed|services undeployed|left the cluster).* at \\+(\\d+) ms");

  @TempDir Path dir;
  ClusterHarness cluster;
  final List<Process> processes = new ArrayList<>();
  final Process[] current = new Process[NODES];
  final AtomicIntegerArray ports = new AtomicIntegerArray(NODES);
  Vertx clientVertx;
  WebSocketClient ws;
  ExecutorService jobThread;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterHarness(dir, NODES);
    clientVertx = Vertx.vertx();
    ws =
        clientVertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(64 * 1024 * 1024)
                .setMaxFrameSize(64 * 1024 * 1024));
    jobThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "rolling-job"));
  }

  @AfterEach
  void tearDown() throws Exception {
    jobThread.shutdownNow();
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

  private Path log(int index, int generation) {
    return dir.resolve("node" + index + "-" + generation + ".log");
  }

  /** Starts node {@code index} (generation {@code generation}) and waits until it serves HTTP. */
  private void launch(int index, int generation) throws Exception {
    Map<String, String> env = cluster.env(index);
    env.put("VIZRELAY_DRAIN_DELAY_SECONDS", Integer.toString(DRAIN_DELAY_S));
    Path portFile = Path.of(env.get("VIZRELAY_DATA_DIR")).resolve("port");
    Files.deleteIfExists(portFile);
    Process p = ClusterHarness.startNodeProcess(env, log(index, generation));
    processes.add(p);
    current[index] = p;
    long deadline = System.currentTimeMillis() + 120_000;
    while (!Files.exists(portFile)) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "node " + index + " did not start: " + Files.readString(log(index, generation)));
      }
      heal();
      Thread.sleep(50);
    }
    ports.set(index, Integer.parseInt(Files.readString(portFile).trim()));
  }

  /**
   * The registry on {@code port} has the task with its registration meta, running, at {@code seq}.
   */
  private boolean registered(int port, long seq) {
    try {
      ClusterHarness.Response r = cluster.get(port, "/api/tasks/" + TASK);
      JsonNode task = r.status() == 200 ? Json.parseTrusted(r.body().getBytes()) : null;
      return task != null
          && "rolling".equals(task.path("meta").path("run").asText())
          && "running".equals(task.path("status").asText())
          && task.path("last_seq").asLong() == seq;
    } catch (Exception e) {
      return false;
    }
  }

  private int status(int port, String path) {
    try {
      return cluster.get(port, path).status();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * Polls {@code condition} (healing browsers meanwhile) until it holds; fails after {@code
   * timeoutMs}.
   */
  private void until(String what, long timeoutMs, BooleanSupplier condition) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting: " + what);
      heal();
      Thread.sleep(20);
    }
  }

  private boolean clusterSafe() {
    for (int i = 0; i < NODES; i++) {
      if (status(ports.get(i), "/health/cluster") != 200) {
        return false;
      }
    }
    return true;
  }

  record Close(int node, short code, String reason, String position) {}

  final List<Watcher> watchers = new ArrayList<>();

  private void heal() throws Exception {
    for (Watcher w : watchers) {
      w.heal();
    }
  }

  /**
   * A browser that reconnects with since= to the next node that accepts whenever its socket closes.
   */
  final class Watcher {
    final StreamView view = new StreamView();
    final List<Close> closes = new ArrayList<>();
    WsBrowser socket;
    int node;
    int reconnects;

    Watcher(int node) throws Exception {
      this.node = node;
      socket =
          ClusterHarness.await(
              WsBrowser.connect(ws, ports.get(node), "/socket?task_id=" + TASK), 30);
      assertTrue(
          socket.await(f -> "sync".equals(f.path("command").asText()), 30_000), "first sync");
    }

    void heal() throws Exception {
      if (!socket.closed.isDone()) {
        return;
      }
      view.consume(socket.frames());
      closes.add(
          new Close(
              node,
              socket.closed.join() == null ? -1 : socket.closed.join(),
              socket.closeReason,
              view.position()));
      for (int attempt = 1; attempt <= NODES * 3; attempt++) {
        int next = (node + attempt) % NODES;
        try {
          socket =
              ClusterHarness.await(
                  WsBrowser.connect(
                      ws, ports.get(next), "/socket?task_id=" + TASK + "&since=" + view.position()),
                  30);
        } catch (Exception refused) {
          continue; // that node is draining or gone: try the next
        }
        node = next;
        reconnects++;
        assertTrue(
            socket.await(f -> "sync".equals(f.path("command").asText()), 30_000), "resume sync");
        return;
      }
      throw new AssertionError("no node accepted the browser");
    }
  }

  @Test
  void restartingEveryNodeUnderLoadLosesNothing() throws Exception {
    long testStart = System.nanoTime();
    for (int i = 0; i < NODES; i++) {
      launch(i, 0);
    }
    until("cluster safe after start", 60_000, this::clusterSafe);
    long startedMs = (System.nanoTime() - testStart) / 1_000_000;
    // the job registers its task (with meta) on one replica; the registry lives in the grid
    assertEquals(
        201,
        cluster
            .post(
                ports.get(0),
                "/api/tasks",
                "{\"task_id\":\"" + TASK + "\",\"meta\":{\"run\":\"rolling\"}}")
            .status());
    assertEquals(
        200, cluster.post(ports.get(0), "/update", ClusterHarness.point(TASK, WIN, 0, 0)).status());
    for (int i = 0; i < 2 * NODES; i++) {
      watchers.add(new Watcher(i % NODES));
    }

    // the job: one request at a time; a failed request is retried once on the next node
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acked = new AtomicInteger(1);
    AtomicInteger failedAttempts = new AtomicInteger();
    AtomicInteger failedAfterRetry = new AtomicInteger();
    Queue failures = new Queue();
    Map<String, Integer> failureKinds = new ConcurrentHashMap<>();
    Set<Integer> ackedXs = ConcurrentHashMap.newKeySet();
    ackedXs.add(0);
    CompletableFuture<Void> job =
        CompletableFuture.runAsync(
            () -> {
              int target = 0;
              try {
                for (int i = 1; !stop.get(); i++) {
                  boolean ok = false;
                  for (int attempt = 0; !ok; attempt++) {
                    target = (target + 1) % NODES;
                    ClusterHarness.Response r;
                    try {
                      r =
                          cluster.post(
                              ports.get(target), "/update", ClusterHarness.point(TASK, WIN, i, i));
                    } catch (Exception e) {
                      r = new ClusterHarness.Response(-1, e.toString());
                    }
                    ok = r.status() == 200;
                    if (!ok) {
                      failedAttempts.incrementAndGet();
                      failureKinds.merge(
                          r.status() == -1 ? r.body().replaceAll(":.*", "") : "HTTP " + r.status(),
                          1,
                          Integer::sum);
                      failures.add(
                          "x="
                              + i
                              + " attempt "
                              + attempt
                              + " node "
                              + target
                              + ": "
                              + r.status()
                              + " "
                              + r.body());
                      if (attempt == 1) {
                        failedAfterRetry.incrementAndGet();
                      }
                      if (attempt > 50) {
                        throw new AssertionError("the job cannot post: " + failures);
                      }
                    }
                  }
                  ackedXs.add(i);
                  acked.incrementAndGet();
                  Thread.sleep(4); // pacing, not synchronisation
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            jobThread);

    until("the job is streaming", 60_000, () -> acked.get() >= 100);
    List<Map<String, Object>> restarts = new ArrayList<>();
    for (int v = 0; v < NODES; v++) {
      Map<String, Object> figures = new LinkedHashMap<>();
      int victimIndex = v;
      int victimPort = ports.get(v);
      int ackedBefore = acked.get();
      List<Watcher> onVictim = new ArrayList<>();
      for (Watcher w : watchers) {
        if (w.node == v && !w.socket.closed.isDone()) {
          onVictim.add(w);
        }
      }
      assertFalse(onVictim.isEmpty(), "node " + v + " serves browsers before its restart");
      Map<Watcher, Integer> closesBefore = new HashMap<>();
      onVictim.forEach(w -> closesBefore.put(w, w.closes.size()));

      long t0 = System.nanoTime();
      Process victim = current[v];
      victim.destroy(); // SIGTERM
      // readiness fails first (503) while liveness still answers, then the listener goes
      until(
          "node " + v + " readiness 503 while draining",
          DRAIN_DELAY_S * 1000L + 5_000,
          () -> status(victimPort, "/readiness") == 503);
      figures.put("readiness503Ms", (System.nanoTime() - t0) / 1_000_000);
      assertEquals(200, status(victimPort, "/health"), "liveness stays 200 while draining");
      until(
          "node " + v + " exits",
          SHUTDOWN_TIMEOUT_S * 1000L + DRAIN_DELAY_S * 1000L + 10_000,
          () -> !victim.isAlive());
      long exitMs = (System.nanoTime() - t0) / 1_000_000;
      figures.put("exitMs", exitMs);
      String victimLog = Files.readString(log(v, 0));
      assertTrue(
          exitMs < (DRAIN_DELAY_S + SHUTDOWN_TIMEOUT_S) * 1000L,
          "node "
              + v
              + " exited within drain delay + shutdown timeout: "
              + exitMs
              + " ms\n"
              + tail(victimLog));
      assertTrue(
          victimLog.contains("drain: left the cluster"),
          "node " + v + " drained and left cleanly:\n" + victimLog);
      assertFalse(victimLog.contains("clean stop did not finish"), "node " + v + " was not halted");
      Matcher m = PHASE.matcher(victimLog);
      while (m.find()) {
        figures.put(m.group(1), Long.parseLong(m.group(2)));
      }

      // its browsers got 1001 with the hint, and the hint is where their view ended
      until(
          "node " + v + "'s browsers were closed and moved",
          30_000,
          () ->
              onVictim.stream()
                  .allMatch(w -> w.closes.size() > closesBefore.get(w) && w.node != victimIndex));
      for (Watcher w : onVictim) {
        Close c = w.closes.get(closesBefore.get(w));
        assertEquals(v, c.node());
        assertEquals((short) 1001, c.code(), "close code of a draining node's browser: " + c);
        assertEquals(
            "since=" + c.position(), c.reason(), "the close reason is the resume hint: " + c);
      }

      long r0 = System.nanoTime();
      launch(v, 1);
      until("cluster safe after restarting node " + v, 60_000, this::clusterSafe);
      figures.put("replacementReadyMs", (System.nanoTime() - r0) / 1_000_000);
      figures.put("pointsDuringRestart", acked.get() - ackedBefore);
      restarts.add(figures);
    }
    int ackedAtEnd = acked.get();
    until("the job streams after the last restart", 30_000, () -> acked.get() >= ackedAtEnd + 100);
    stop.set(true);
    job.get(30, TimeUnit.SECONDS);

    // the final seq, as a fresh browser sees it
    long last = ClusterHarness.lastSeq(ws, ports.get(0), TASK);
    assertTrue(
        last >= acked.get(),
        "every acknowledged point made a frame: last=" + last + " acked=" + acked.get());

    // every node restarted, yet every replica answers for the task as registered, running, at the
    // last seq
    for (int i = 0; i < NODES; i++) {
      int port = ports.get(i);
      until(
          "node " + i + "'s registry has the task at seq " + last,
          30_000,
          () -> registered(port, last));
    }

    int reconnects = 0;
    for (Watcher w : watchers) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!w.socket.awaitSeq(last, 200)) {
        assertTrue(System.currentTimeMillis() < deadline, "watcher reached seq " + last);
        w.heal();
      }
      w.view.consume(w.socket.frames());
      reconnects += w.reconnects;
      assertEquals(
          LongStream.rangeClosed(1, last).boxed().toList(),
          w.view.seqs,
          "every frame once, in order");
      Map<Integer, Integer> counts = new TreeMap<>();
      for (double x : w.view.xs(WIN)) {
        counts.merge((int) x, 1, Integer::sum);
      }
      assertEquals(ackedXs, counts.keySet(), "the browser shows exactly the acknowledged points");
      counts.forEach((x, n) -> assertEquals(1, n, "point " + x + " shown once"));
    }
    assertEquals(0, failedAfterRetry.get(), "no request failed after its retry: " + failures);

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("clusterStartMs", startedMs);
    figures.put("restarts", restarts);
    figures.put("acked", acked.get());
    figures.put("failedFirstAttempts", failedAttempts.get());
    figures.put("failedFirstAttemptsByKind", failureKinds);
    figures.put("failedAfterRetry", failedAfterRetry.get());
    figures.put("browserReconnects", reconnects);
    figures.put("lastSeq", last);
    figures.put("totalMs", (System.nanoTime() - testStart) / 1_000_000);
    System.out.println("ROLLING " + figures);
    System.out.println("ROLLING first-attempt failures " + failures);
  }

  private static String tail(String log) {
    return log.length() <= 20_000 ? log : log.substring(log.length() - 20_000);
  }

  /** The first failures the job saw, for the report. */
  static final class Queue {
    private final ConcurrentLinkedQueue<String> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    void add(String item) {
      if (size.incrementAndGet() <= 20) {
        items.add(item);
      }
    }

    @Override
    public String toString() {
      return items.toString();
    }
  }
}
