package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 (b): three node JVMs; a job streams points (retrying a failed request on the next node),
 * six browsers watch (two per node); one node that serves both ingest and browsers is killed with
 * SIGKILL mid-stream. Every browser reconnects to a survivor with {@code since=} and ends with
 * every frame exactly once, in seq order, holding every acknowledged point.
 */
class ClusterFailoverIT {
  static final String WIN = "loss";
  static final int POINTS = 900;
  static final int VICTIM = 1;

  /**
   * A task whose partition the victim owns, so the kill also fails over its state to the backup.
   */
  String TASK;

  @TempDir Path dir;
  ClusterHarness cluster;
  final List<Process> processes = new ArrayList<>();
  final List<Integer> ports = new ArrayList<>();
  Vertx clientVertx;
  WebSocketClient ws;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterHarness(dir, 3);
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

  private Process launch(int index) throws Exception {
    Map<String, String> env = cluster.env(index);
    Process p = ClusterHarness.startNodeProcess(env, dir.resolve("node" + index + ".log"));
    processes.add(p);
    return p;
  }

  private int awaitPort(int index, Process p, long timeoutMs) throws Exception {
    Path file = Path.of(cluster.env(index).get("VIZRELAY_DATA_DIR")).resolve("port");
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!Files.exists(file)) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "node "
                + index
                + " did not start: "
                + Files.readString(dir.resolve("node" + index + ".log")));
      }
      Thread.sleep(100);
    }
    return Integer.parseInt(Files.readString(file).trim());
  }

  /** A browser that reconnects to a live node with since= whenever its socket closes. */
  final class Watcher {
    final StreamView view = new StreamView();
    WsBrowser current;
    int node;
    int reconnects;
    long resumedAt;

    Watcher(int node) throws Exception {
      this.node = node;
      current =
          ClusterHarness.await(
              WsBrowser.connect(ws, ports.get(node), "/socket?task_id=" + TASK), 30);
    }

    /**
     * If the socket closed: account its frames and reconnect with since= to the next node that
     * accepts.
     */
    void heal() throws Exception {
      if (!current.closed.isDone()) {
        return;
      }
      view.consume(current.frames());
      for (int attempt = 0; attempt < ports.size() * 3; attempt++) {
        node = (node + 1) % ports.size();
        try {
          current =
              ClusterHarness.await(
                  WsBrowser.connect(
                      ws, ports.get(node), "/socket?task_id=" + TASK + "&since=" + view.position()),
                  30);
          reconnects++;
          if (current.await(f -> "sync".equals(f.path("command").asText()), 30_000)) {
            resumedAt = System.nanoTime();
          }
          return;
        } catch (Exception refused) {
          // that node is gone: try the next
        }
      }
      throw new AssertionError("no node accepted the browser");
    }
  }

  @Test
  void killingANodeMidStreamLosesNoAcknowledgedPoint() throws Exception {
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      started.add(launch(i));
      ports.add(awaitPort(i, started.get(i), 120_000));
    }
    int ownerProbe =
        Integer.parseInt(
            Files.readString(Path.of(cluster.env(VICTIM).get("VIZRELAY_DATA_DIR")).resolve("probe"))
                .trim());
    for (int k = 0; TASK == null; k++) {
      assertTrue(k < 1000, "some task id lands on the victim");
      if ("true".equals(cluster.get(ownerProbe, "/owns?task=carol-failover-" + k).body())) {
        TASK = "carol-failover-" + k;
      }
    }
    assertEquals(
        200, cluster.post(ports.get(0), "/update", ClusterHarness.point(TASK, WIN, 0, 0)).status());
    List<Watcher> watchers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Watcher w = new Watcher(i % 3);
      assertTrue(w.current.await(f -> "sync".equals(f.path("command").asText()), 30_000));
      watchers.add(w);
    }

    AtomicInteger acked = new AtomicInteger(1);
    AtomicInteger failures = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong();
    AtomicLong firstAckAfterKill = new AtomicLong();
    Set<Integer> ackedXs = ConcurrentHashMap.newKeySet();
    ackedXs.add(0);
    CompletableFuture<Void> job =
        CompletableFuture.runAsync(
            () -> {
              int target = 0;
              try {
                for (int i = 1; i < POINTS; i++) {
                  while (true) {
                    target =
                        (target + 1)
                            % 3; // the job only learns of the dead node by its failed requests
                    ClusterHarness.Response r;
                    try {
                      r =
                          cluster.post(
                              ports.get(target), "/update", ClusterHarness.point(TASK, WIN, i, i));
                    } catch (Exception e) {
                      r = new ClusterHarness.Response(-1, e.toString());
                    }
                    if (r.status() == 200) {
                      ackedXs.add(i);
                      acked.incrementAndGet();
                      if (killedAt.get() != 0) {
                        firstAckAfterKill.compareAndSet(0, System.nanoTime());
                      }
                      break;
                    }
                    failures.incrementAndGet();
                  }
                  Thread.sleep(2);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });

    long deadline = System.currentTimeMillis() + 120_000;
    while (acked.get() < POINTS / 3) {
      assertTrue(System.currentTimeMillis() < deadline, "the job is streaming");
      Thread.sleep(20);
    }
    killedAt.set(System.nanoTime());
    processes.get(VICTIM).destroyForcibly();
    processes.get(VICTIM).waitFor(10, TimeUnit.SECONDS);

    while (!job.isDone()) {
      assertTrue(System.currentTimeMillis() < deadline + 60_000, "the job finished");
      for (Watcher w : watchers) {
        w.heal();
      }
      Thread.sleep(20);
    }
    job.get();
    long retryGapMs = (firstAckAfterKill.get() - killedAt.get()) / 1_000_000;

    // the final seq, as a fresh browser on a survivor sees it
    long last = ClusterHarness.lastSeq(ws, ports.get(0), TASK);
    assertTrue(last >= POINTS, "every point made a frame: last=" + last);

    int reconnects = 0;
    for (Watcher w : watchers) {
      long until = System.currentTimeMillis() + 60_000;
      while (!w.current.awaitSeq(last, 200)) {
        assertTrue(System.currentTimeMillis() < until, "watcher reached seq " + last);
        w.heal();
      }
      w.view.consume(w.current.frames());
      reconnects += w.reconnects;
      assertEquals(
          LongStream.rangeClosed(1, last).boxed().toList(),
          w.view.seqs,
          "every frame once, in order");
      List<Double> xs = w.view.xs(WIN);
      Set<Integer> seen = new HashSet<>();
      xs.forEach(x -> seen.add((int) (double) x));
      assertTrue(seen.containsAll(ackedXs), "every acknowledged point is shown");
      assertTrue(
          xs.size() - seen.size() <= failures.get(),
          "duplicates only from retried, unacknowledged requests");
    }
    assertTrue(reconnects >= 2, "the victim's browsers reconnected elsewhere");
    long resumeMs = 0;
    for (Watcher w : watchers) {
      if (w.resumedAt != 0) {
        resumeMs = Math.max(resumeMs, (w.resumedAt - killedAt.get()) / 1_000_000);
      }
    }
    assertTrue(firstAckAfterKill.get() != 0, "the job's retries succeeded after the kill");
    Map<String, Object> figures = new HashMap<>();
    figures.put("acked", acked.get());
    figures.put("failedAttempts", failures.get());
    figures.put("firstAckAfterKillMs", retryGapMs);
    figures.put("reconnects", reconnects);
    figures.put("lastSeq", last);
    figures.put("slowestBrowserResumeMs", resumeMs);
    System.out.println("FAILOVER " + figures);
  }
}
