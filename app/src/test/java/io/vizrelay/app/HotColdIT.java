package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot and cold tasks in the real jar: tasks unloaded while events stream in survive kill -9 with
 * every acknowledged point, and a small heap holds far more points than fit in it, because idle
 * tasks leave memory.
 */
class HotColdIT {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Path log = Path.of("target", "hotcold-server.log");

  @TempDir Path data;

  /**
   * Twenty tasks take turns; with an idle time of 0 the sweeper unloads each one between its events
   * (writing snapshots as it goes), and the process is killed in the middle of that.
   */
  @Test
  void killedWhileTasksUnloadNothingAcknowledgedIsLost() throws Exception {
    Files.createDirectories(log.getParent());
    Map<String, String> env = Map.of("VIZRELAY_FSYNC", "always", "VIZRELAY_HOT_IDLE_SECONDS", "0");
    int tasks = 20;
    ServerProcess first = ServerProcess.start(data, log, env);
    AtomicIntegerArray acked = new AtomicIntegerArray(tasks);
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> poster =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; !stop.get(); i++) {
                  int t = i % tasks;
                  int n = acked.get(t);
                  if (post(first.port, "kill-" + t, n, 50).statusCode() != 200) {
                    return;
                  }
                  acked.set(t, n + 50);
                }
              } catch (Exception connectionLost) {
                // the kill
              }
            });
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    try {
      while (unloads(first.port) < 60 && System.nanoTime() < deadline && !poster.isDone()) {
        Thread.sleep(20); // poll interval of a separate process's metrics, bounded by the deadline
      }
      assertTrue(unloads(first.port) >= 60, "tasks were unloaded while the stream ran");
    } finally {
      first.kill9(); // also when the wait failed: no server left running past its test
    }
    stop.set(true);
    poster.join();

    ServerProcess second = ServerProcess.start(data, log, env);
    try {
      for (int t = 0; t < tasks; t++) {
        JsonNode trace = trace(second.port, "kill-" + t);
        int stored = trace.path("x").size();
        assertTrue(
            stored >= acked.get(t),
            "task " + t + ": " + stored + " stored < " + acked.get(t) + " acknowledged");
        assertExact(trace, stored);
      }
    } finally {
      second.stop();
    }
  }

  /**
   * 20M points over 200 tasks through a 256 MB heap: each task gets its share in large batches,
   * then idles and is unloaded; no OutOfMemoryError (the JVM would exit), every task exact after.
   */
  @Test
  void aSmallHeapIngestsFarMoreThanItHoldsAndEveryTaskIsExactAfter() throws Exception {
    Files.createDirectories(log.getParent());
    int tasks = 200;
    int perTask = 100_000;
    int batch = 50_000;
    ServerProcess server =
        ServerProcess.start(
            data, log, Map.of("VIZRELAY_FSYNC", "batch", "VIZRELAY_HOT_IDLE_SECONDS", "1"), "256m");
    try {
      for (int t = 0; t < tasks; t++) {
        for (int from = 0; from < perTask; from += batch) {
          HttpResponse<String> r = post(server.port, "heap-" + t, from, batch);
          assertEquals(200, r.statusCode(), r.body());
        }
      }
      for (int t = 0; t < tasks; t++) {
        JsonNode trace = trace(server.port, "heap-" + t);
        assertEquals(perTask, trace.path("x").size(), "task " + t);
        assertExact(trace, perTask);
      }
      assertTrue(unloads(server.port) >= tasks - 10, "idle tasks were unloaded");
    } finally {
      server.stop();
    }
  }

  private static void assertExact(JsonNode trace, int n) {
    JsonNode x = trace.path("x");
    JsonNode y = trace.path("y");
    assertEquals(n, y.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i, x.get(i).asLong(), "x in order, each once");
      assertEquals(y(i), y.get(i).asDouble(), "y exact");
    }
  }

  private static double y(int i) {
    return (i % 1000) * 0.125;
  }

  private HttpResponse<String> post(int port, String task, int from, int n) throws Exception {
    StringBuilder b = new StringBuilder(n * 16 + 256);
    b.append("{\"task_id\":\"")
        .append(task)
        .append("\",\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":[");
    for (int i = from; i < from + n; i++) {
      b.append(i == from ? "" : ",").append(i);
    }
    b.append("],\"y\":[");
    for (int i = from; i < from + n; i++) {
      b.append(i == from ? "" : ",").append(y(i));
    }
    b.append(
        "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},\"opts\":{},"
            + "\"name\":\"train\",\"append\":true}");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/update"))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(b.toString()))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode trace(int port, String task) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/win_data"))
            .timeout(Duration.ofSeconds(60))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"task_id\":\"" + task + "\",\"win\":\"loss\",\"eid\":\"main\"}"))
            .build();
    HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    return Json.parseTrusted(r.body()).path("content").path("data").path(0);
  }

  private long unloads(int port) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(10))
            .build();
    String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    for (String line : text.split("\n")) {
      if (line.startsWith("vizrelay_store_unloads_total")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no vizrelay_store_unloads_total in /metrics");
  }
}
