package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.devproxy.FrontProxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 (a) and (c), in one JVM: clustered nodes (ingest + socket + taskinfo each, own HTTP
 * server, random cluster name, TCP-IP join on 127.0.0.1 with an explicit member list).
 */
class ClusterRelayIT {
  static final String WIN = "loss";

  @TempDir Path dir;
  ClusterHarness cluster;
  Vertx clientVertx;
  WebSocketClient ws;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterHarness(dir, 4);
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
      cluster.close();
    } finally {
      ClusterHarness.await(clientVertx.close(), 30);
    }
  }

  /**
   * (a) Points ingested on node 1 reach browsers on nodes 2 and 3, every one once, in seq order.
   */
  @Test
  void eventsIngestedOnOneNodeReachBrowsersOnTheOthersInOrder() throws Exception {
    ClusterNode n1 = cluster.startNode();
    ClusterNode n2 = cluster.startNode();
    ClusterNode n3 = cluster.startNode();
    String task = "alice-relay";
    int points = 300;
    assertEquals(
        200, cluster.post(n1.port(), "/update", ClusterHarness.point(task, WIN, 0, 0)).status());

    WsBrowser b2 =
        ClusterHarness.await(WsBrowser.connect(ws, n2.port(), "/socket?task_id=" + task), 30);
    WsBrowser b3 =
        ClusterHarness.await(WsBrowser.connect(ws, n3.port(), "/socket?task_id=" + task), 30);
    assertTrue(
        b2.await(f -> "sync".equals(f.path("command").asText()), 30_000), "node 2 browser synced");
    assertTrue(
        b3.await(f -> "sync".equals(f.path("command").asText()), 30_000), "node 3 browser synced");

    for (int i = 1; i < points; i++) {
      ClusterHarness.Response r =
          cluster.post(n1.port(), "/update", ClusterHarness.point(task, WIN, i, i * 0.5));
      assertEquals(200, r.status(), r.body());
    }
    long last = lastSeq(n1.store(), task);
    assertEquals(points, last, "one frame per point");

    for (WsBrowser b : List.of(b2, b3)) {
      assertTrue(
          b.awaitSeq(last, 30_000), "browser on port " + b.port + " got every frame up to " + last);
      StreamView view = new StreamView();
      view.consume(b.frames());
      assertEquals(
          LongStream.rangeClosed(1, last).boxed().toList(),
          view.seqs,
          "every frame once, in order");
      assertEquals(IntStream.range(0, points).mapToObj(i -> (double) i).toList(), view.xs(WIN));
    }
    // the task's state is the same from every node
    for (ClusterNode n : List.of(n1, n2, n3)) {
      assertEquals(last, lastSeq(n.store(), task));
    }

    // the local front proxy (scripts/cluster.sh) spreads HTTP and WebSockets over the nodes
    String all =
        List.of(n1, n2, n3).stream()
            .map(n -> "127.0.0.1:" + n.port())
            .collect(Collectors.joining(","));
    HttpServer proxy =
        ClusterHarness.await(
            FrontProxy.start(
                clientVertx,
                Map.of(
                    "VIZRELAY_PROXY_PORT",
                    "0",
                    "VIZRELAY_PROXY_INGEST",
                    all,
                    "VIZRELAY_PROXY_SOCKET",
                    all,
                    "VIZRELAY_PROXY_TASKINFO",
                    all)),
            30);
    WsBrowser viaProxy =
        ClusterHarness.await(
            WsBrowser.connect(ws, proxy.actualPort(), "/socket?task_id=" + task), 30);
    for (int i = points; i < points + 3; i++) {
      assertEquals(
          200,
          cluster
              .post(proxy.actualPort(), "/update", ClusterHarness.point(task, WIN, i, i))
              .status());
    }
    assertTrue(viaProxy.awaitSeq(last + 3, 30_000), "live frames through the proxy");
    StreamView proxied = new StreamView();
    proxied.consume(viaProxy.frames());
    assertEquals(
        IntStream.range(0, points + 3).mapToObj(i -> (double) i).toList(), proxied.xs(WIN));
    assertEquals(200, cluster.get(proxy.actualPort(), "/health").status());
  }

  /** (c) A node that joins mid-stream serves a new browser a correct snapshot, then live frames. */
  @Test
  void aNodeJoiningMidStreamServesNewBrowsers() throws Exception {
    ClusterNode n1 = cluster.startNode();
    ClusterNode n2 = cluster.startNode();
    ClusterNode n3 = cluster.startNode();
    String task = "bob-join";
    int points = 600;
    assertEquals(
        200, cluster.post(n1.port(), "/update", ClusterHarness.point(task, WIN, 0, 0)).status());
    WsBrowser b2 =
        ClusterHarness.await(WsBrowser.connect(ws, n2.port(), "/socket?task_id=" + task), 30);
    assertTrue(b2.await(f -> "sync".equals(f.path("command").asText()), 30_000));

    AtomicInteger acked = new AtomicInteger(1);
    List<ClusterNode> ingest = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(n1, n3));
    CompletableFuture<Void> poster =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 1; i < points; i++) {
                  ClusterNode target = ingest.get(i % ingest.size());
                  ClusterHarness.Response r =
                      cluster.post(target.port(), "/update", ClusterHarness.point(task, WIN, i, i));
                  if (r.status() != 200) {
                    throw new AssertionError("ingest " + i + " failed: " + r);
                  }
                  acked.incrementAndGet();
                  Thread.sleep(5);
                }
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    assertTrue(b2.awaitSeq(100, 60_000), "stream is flowing");
    ClusterNode n4 = cluster.startNode();
    int ackedWhenJoined = acked.get();
    ingest.add(n4);
    WsBrowser b4 =
        ClusterHarness.await(WsBrowser.connect(ws, n4.port(), "/socket?task_id=" + task), 30);
    assertTrue(
        b4.await(f -> "sync".equals(f.path("command").asText()), 30_000),
        "new node's browser synced");

    poster.get(120, java.util.concurrent.TimeUnit.SECONDS);
    long last = lastSeq(n4.store(), task);
    assertEquals(points, last);
    assertTrue(
        ackedWhenJoined < points, "the node joined mid-stream (" + ackedWhenJoined + " acked)");

    for (WsBrowser b : List.of(b2, b4)) {
      assertTrue(
          b.awaitSeq(last, 30_000), "browser on port " + b.port + " got every frame up to " + last);
      StreamView view = new StreamView();
      view.consume(b.frames());
      assertEquals(
          LongStream.rangeClosed(1, last).boxed().toList(),
          view.seqs,
          "every frame once, in order");
      assertEquals(IntStream.range(0, points).mapToObj(i -> (double) i).toList(), view.xs(WIN));
    }
    StreamView late = new StreamView();
    late.consume(b4.frames());
    assertTrue(late.snapshots >= 1, "the new node's browser started from a snapshot");
  }

  private static long lastSeq(TaskStore store, String task) throws Exception {
    TaskStore.TaskStats stats = ClusterHarness.await(store.stats(task), 30);
    return stats == null ? -1 : stats.lastSeq();
  }
}
