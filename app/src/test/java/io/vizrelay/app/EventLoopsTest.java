package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@code VIZRELAY_EVENT_LOOPS=4}: browsers of one task spread over the four loops (a channel per
 * loop) all get every frame in seq order with no gap, while jobs post from many connections (so on
 * several loops, their replies and publications racing); the relay stats add the loops up.
 */
class EventLoopsTest extends EmbeddedServerTest {
  static final int LOOPS = 4;
  static final String TASK = "alice-loops";
  static final int BROWSERS = 40;
  static final int POSTERS = 8;
  static final int POSTS_EACH = 40;

  @Override
  Map<String, String> env() {
    return Map.of("VIZRELAY_EVENT_LOOPS", Integer.toString(LOOPS));
  }

  @Test
  void browsersOnEveryLoopSeeEveryFrameInOrder() throws Exception {
    assertEquals(LOOPS, server.server.eventLoops(), "one server instance per loop");
    assertEquals(200, server.post("/update", Frames.body(TASK, "loss", 0, 0)).status());
    List<Browser> browsers = new ArrayList<>();
    for (int i = 0; i < BROWSERS; i++) {
      Browser b = server.browser("/socket?task_id=" + TASK);
      b.await("sync", 10_000);
      browsers.add(b);
    }
    JsonNode stats = stats();
    assertEquals(BROWSERS, stats.path("sessions").asInt(), "sessions summed over loops: " + stats);
    assertEquals(LOOPS, stats.path("eventLoops").asInt(), "every loop got browsers: " + stats);
    assertEquals(LOOPS, stats.path("channels").asInt(), "one channel per loop: " + stats);

    postFromManyConnections();

    int points = 1 + POSTERS * POSTS_EACH;
    for (Browser b : browsers) {
      awaitPoints(b, points);
      List<Double> xs = rebuild(b);
      assertEquals(points, xs.size(), "every point once");
      assertEquals(points, new TreeSet<>(xs).size(), "no duplicate point");
    }

    for (Browser b : browsers.subList(0, BROWSERS / 2)) {
      TestServer.await(b.close());
    }
    awaitSessions(BROWSERS / 2);
  }

  /** POSTERS threads, each with its own client (its own connection), each posting its x values. */
  private void postFromManyConnections() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(POSTERS);
    try {
      List<Future<Integer>> ok = new ArrayList<>();
      for (int p = 0; p < POSTERS; p++) {
        int poster = p;
        ok.add(pool.submit(() -> post(poster)));
      }
      for (Future<Integer> f : ok) {
        assertEquals(POSTS_EACH, f.get().intValue(), "every post acknowledged with 200");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private int post(int poster) throws Exception {
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    int ok = 0;
    for (int i = 0; i < POSTS_EACH; i++) {
      double x = 1 + poster * POSTS_EACH + i;
      java.net.http.HttpRequest request =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + server.port() + "/update"))
              .timeout(java.time.Duration.ofSeconds(30))
              .POST(
                  java.net.http.HttpRequest.BodyPublishers.ofString(
                      Frames.body(TASK, "loss", x, x)))
              .build();
      if (client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()
          == 200) {
        ok++;
      }
    }
    return ok;
  }

  /**
   * Waits (bounded) until the browser's view holds {@code points} points: a delta is published on
   * the loop that acknowledged it, so it may reach another loop's browsers just after the reply.
   */
  private static void awaitPoints(Browser b, int points) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (rebuild(b).size() < points) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("only " + rebuild(b).size() + " of " + points + " points");
      }
      TestServer.await(b.barrier());
    }
  }

  private void awaitSessions(int sessions) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode stats = stats();
    while (stats.path("sessions").asInt() != sessions) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("sessions never reached " + sessions + ": " + stats);
      }
      stats = stats();
    }
  }

  /** The browser's view from its last sync on, checking seq continuity; the window's x values. */
  private static List<Double> rebuild(Browser b) {
    List<JsonNode> frames = b.frames();
    int start = 0;
    for (int i = 0; i < frames.size(); i++) {
      if ("sync".equals(frames.get(i).path("command").asText())) {
        start = i;
      }
    }
    assertTrue(frames.size() > start, "a sync arrived");
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
}
