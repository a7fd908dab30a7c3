package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.json.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 in the clustered services: a long trace ingested on node 1 is served by node 2's
 * taskinfo range query (exact raw points) and node 2's compact socket with {@code max_points}
 * (bucketed, marked).
 */
class ClusterDownsampleIT {
  static final String TASK = "alice-clusterzoom";
  static final int N = 20_000;

  @TempDir Path dir;
  ClusterHarness cluster;
  Vertx clientVertx;
  WebSocketClient ws;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterHarness(dir, 2);
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

  @Test
  void rangeQueriesAndBudgetedSocketsWorkAcrossNodes() throws Exception {
    ClusterNode n1 = cluster.startNode();
    ClusterNode n2 = cluster.startNode();
    StringBuilder xs = new StringBuilder();
    StringBuilder ys = new StringBuilder();
    for (int i = 0; i < N; i++) {
      xs.append(i == 0 ? "" : ",").append(i);
      ys.append(i == 0 ? "" : ",").append(i == 4321 ? "1e9" : Integer.toString(i % 17));
    }
    String body =
        "{\"task_id\":\""
            + TASK
            + "\",\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":["
            + xs
            + "],\"y\":["
            + ys
            + "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],"
            + "\"layout\":{},\"opts\":{}}";
    assertEquals(200, cluster.post(n1.port(), "/events", body).status());

    ClusterHarness.Response range =
        cluster.get(
            n2.port(),
            "/api/tasks/" + TASK + "/windows/loss/points?trace=0&x0=4300&x1=4399&max_points=100");
    assertEquals(200, range.status(), range.body());
    JsonNode got = Json.parseTrusted(range.body().getBytes());
    assertFalse(got.path("downsampled").asBoolean());
    assertEquals(100, got.path("points").asInt());
    for (int j = 0; j < 100; j++) {
      int x = 4300 + j;
      assertEquals(x, got.get("x").get(j).asInt());
      assertEquals(x == 4321 ? 1e9 : x % 17, got.get("y").get(j).asDouble(), "point " + x);
    }
    assertEquals(
        404,
        cluster.get(n2.port(), "/api/tasks/" + TASK + "/windows/nope/points?trace=0").status());

    WsBrowser b =
        ClusterHarness.await(
            WsBrowser.connect(
                ws, n2.port(), "/socket?task_id=" + TASK + "&format=compact&max_points=200"),
            30);
    assertTrue(b.await(f -> "layout".equals(f.path("command").asText()), 30_000));
    JsonNode window =
        b.frames().stream()
            .filter(f -> "loss".equals(f.path("id").asText()))
            .findFirst()
            .orElseThrow();
    assertTrue(window.at("/content/data/0/x").size() <= 200);
    assertEquals(N, window.at("/downsampled/0/points").asInt());
    assertTrue(window.at("/content/data/0/y").toString().contains("1.0E9"), "the spike is kept");
    ClusterHarness.await(b.close(), 30);
  }
}
