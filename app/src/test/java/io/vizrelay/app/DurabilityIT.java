package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vizrelay.common.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged means stored (docs/ARCHITECTURE.md, Guarantees 4): the real jar is killed with
 * SIGKILL mid-stream and restarted on the same data dir; every acknowledged point is in the
 * replayed state exactly once, the stream keeps its epoch, and a browser resuming across the
 * restart gets the missed frames.
 */
class DurabilityIT {
  static final String TASK = "alice-durable";

  @TempDir Path data;
  Vertx vertx;
  WebSocketClient ws;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Path log = Path.of("target", "durability-server.log");

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    ws = Browser.client(vertx);
    Files.createDirectories(log.getParent());
  }

  @AfterEach
  void tearDown() throws Exception {
    TestServer.await(vertx.close());
  }

  @Test
  void everyAcknowledgedPointSurvivesKill9AndTheStreamContinues() throws Exception {
    ServerProcess first = ServerProcess.start(data, log, Map.of("VIZRELAY_FSYNC", "always"));
    assertEquals(200, post(first.port, 0).statusCode());
    Browser watcher = TestServer.await(Browser.connect(ws, first.port, "/socket?task_id=" + TASK));
    JsonNode sync = watcher.await("sync", 10_000);
    String epoch = sync.path("epoch").asText();

    AtomicInteger acked = new AtomicInteger(0);
    CompletableFuture<Void> poster =
        CompletableFuture.runAsync(() -> postUntilFailure(first.port, acked));
    while (acked.get() < 300 && !poster.isDone()) {
      Thread.onSpinWait();
    }
    first.kill9();
    poster.join();
    int lastAcked = acked.get();
    long lastSeen = lastSeq(watcher.frames());
    assertTrue(lastAcked >= 300, "the stream ran before the kill");

    ServerProcess second = ServerProcess.start(data, log, Map.of("VIZRELAY_FSYNC", "always"));
    try {
      List<Double> xs = storedXs(second.port);
      assertTrue(
          xs.size() >= lastAcked + 1,
          "every acknowledged point is stored: " + xs.size() + " < " + (lastAcked + 1));
      for (int i = 0; i < xs.size(); i++) {
        assertEquals(i, xs.get(i).intValue(), "each point once, in order");
      }

      Browser resumed =
          TestServer.await(
              Browser.connect(
                  ws, second.port, "/socket?task_id=" + TASK + "&since=" + epoch + ":" + lastSeen));
      JsonNode resync = resumed.await("sync", 10_000);
      assertEquals(
          "resume", resync.path("mode").asText(), "frames across the restart are still retained");
      assertEquals(
          epoch, resync.path("epoch").asText(), "the stream keeps its epoch across a restart");
      assertEquals(200, post(second.port, xs.size()).statusCode());
      resumed.awaitSeq(xs.size() + 1, 10_000);
      TestServer.await(resumed.barrier()); // and nothing after it
      long expect = lastSeen;
      for (JsonNode f : resumed.frames()) {
        if (Frames.isLive(f)) {
          assertEquals(++expect, f.path("seq").asLong(), "seq continues without gap or reuse");
        }
      }
      assertEquals(xs.size() + 1, expect, "one frame per stored point, then one for the new point");
    } finally {
      second.stop();
    }
  }

  private void postUntilFailure(int port, AtomicInteger acked) {
    for (int i = 1; i < 1_000_000; i++) {
      try {
        if (post(port, i).statusCode() != 200) {
          return;
        }
        acked.set(i);
      } catch (Exception connectionLost) {
        return;
      }
    }
  }

  private HttpResponse<String> post(int port, int i) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/update"))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(Frames.body(TASK, "loss", i, i * 0.5)))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private List<Double> storedXs(int port) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/win_data"))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"task_id\":\"" + TASK + "\",\"win\":\"loss\",\"eid\":\"main\"}"))
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode window = Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8));
    List<Double> xs = new ArrayList<>();
    window.path("content").path("data").path(0).path("x").forEach(n -> xs.add(n.asDouble()));
    return xs;
  }

  private static long lastSeq(List<JsonNode> frames) {
    long last = -1;
    for (JsonNode f : frames) {
      if (f.has("seq")) {
        last = Math.max(last, f.path("seq").asLong());
      }
    }
    return last;
  }
}
