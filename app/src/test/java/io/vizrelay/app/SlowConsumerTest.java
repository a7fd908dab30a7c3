package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A slow browser hurts nobody: one subscriber stops reading while 99 keep reading. The 99 get every
 * frame in order; the slow one's queue stays bounded, its deltas are dropped, and once it reads
 * again it is re-synced with a snapshot that holds every point.
 */
class SlowConsumerTest extends EmbeddedServerTest {
  static final String TASK = "alice-slow";
  static final int QUEUE_LIMIT = 64 * 1024;
  static final int FAST = 99;
  static final int UPDATES = 800;
  static final int POINTS_PER_UPDATE = 100;

  WebSocketClient slowClient;

  @Override
  Map<String, String> env() {
    return Map.of("VIZRELAY_SESSION_QUEUE_BYTES", Integer.toString(QUEUE_LIMIT));
  }

  @BeforeEach
  void slowClient() {
    slowClient =
        server.vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setReceiveBufferSize(4096)
                .setMaxMessageSize(64 * 1024 * 1024)
                .setMaxFrameSize(64 * 1024 * 1024));
  }

  @Test
  void oneStalledSubscriberDoesNotCostTheOthersAFrame() throws Exception {
    assertEquals(200, server.post("/update", appendBody(0)).status());
    Browser slow =
        TestServer.await(Browser.connect(slowClient, server.port(), "/socket?task_id=" + TASK));
    slow.await("layout", 10_000);
    slow.socket().pause();
    List<Browser> fast = new ArrayList<>();
    for (int i = 0; i < FAST; i++) {
      Browser b = server.browser("/socket?task_id=" + TASK + "&format=compact");
      b.await("layout", 10_000);
      fast.add(b);
    }

    long start = System.nanoTime();
    for (int u = 1; u <= UPDATES; u++) {
      assertEquals(200, server.post("/update", appendBody(u)).status());
    }
    System.out.printf(
        "ingest of %d updates with one stalled subscriber: %.0f ms%n",
        UPDATES, (System.nanoTime() - start) / 1e6);

    JsonNode stats = stats();
    assertTrue(
        stats.path("dropped").asLong() > 0, "the stalled session's deltas were dropped: " + stats);
    assertTrue(
        stats.path("maxQueuedDeltaBytes").asLong() <= QUEUE_LIMIT, "queue stays bounded: " + stats);

    int expectedPoints = POINTS_PER_UPDATE * (UPDATES + 1);
    for (Browser b : fast) {
      TestServer.await(b.barrier());
      assertEquals(expectedPoints, rebuild(b).size(), "a reading subscriber got every point");
    }

    slow.socket().resume();
    JsonNode resync = awaitOverflowSync(slow);
    assertEquals("snapshot", resync.path("mode").asText());
    TestServer.await(slow.barrier());
    List<Double> xs = rebuild(slow);
    assertEquals(
        expectedPoints, xs.size(), "after the re-sync the slow subscriber holds every point once");
    assertEquals(expectedPoints - 1, xs.get(xs.size() - 1).intValue());
  }

  private JsonNode awaitOverflowSync(Browser slow) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode f : slow.frames("sync")) {
        if ("overflow".equals(f.path("reason").asText())) {
          return f;
        }
      }
      TestServer.await(slow.barrier());
    }
    throw new AssertionError("no overflow re-sync; frames: " + slow.frames("sync"));
  }

  /** Rebuilds the browser's view from its last sync on; checks seq continuity; returns x values. */
  private static List<Double> rebuild(Browser b) {
    List<JsonNode> frames = b.frames();
    int start = 0;
    for (int i = 0; i < frames.size(); i++) {
      if ("sync".equals(frames.get(i).path("command").asText())) {
        start = i;
      }
    }
    TaskState view = new TaskState();
    long last = frames.get(start).path("seq").asLong();
    for (JsonNode f : frames.subList(start, frames.size())) {
      if (Frames.isLive(f)) {
        assertEquals(last + 1, f.path("seq").asLong(), "in order, no gap, no duplicate");
        last = f.path("seq").asLong();
      }
      Frames.apply(view, f);
    }
    return Frames.xs(view, "loss");
  }

  private JsonNode stats() throws Exception {
    return Json.parseTrusted(
        server.get("/api/relay/stats").body().getBytes(StandardCharsets.UTF_8));
  }

  private static String appendBody(int update) {
    StringBuilder x = new StringBuilder();
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < POINTS_PER_UPDATE; i++) {
      int n = update * POINTS_PER_UPDATE + i;
      x.append(i == 0 ? "" : ",").append(n).append(".0");
      y.append(i == 0 ? "" : ",").append(Math.sin(n / 100.0));
    }
    return "{\"task_id\":\""
        + TASK
        + "\",\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":["
        + x
        + "],\"y\":["
        + y
        + "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},\"opts\":{},"
        + "\"name\":\"train\",\"append\":true}";
  }
}
