package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} (docs/METRICS.md): ingest N events and P points, open a socket, cause
 * errors, and every vizrelay counter moves by exactly what happened; the apply histogram and
 * Vert.x's own HTTP meters are exported; no series is labelled with a task.
 */
class MetricsTest {
  static final String TASK = "alice-metrics";
  static final int UPDATES = 7;
  static final int POINTS_PER_UPDATE = 4;
  static final int CREATE_POINTS = 3;

  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.startWithVertxMetrics(dir);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void countersMoveByExactlyWhatHappened() throws Exception {
    Map<String, Double> before = scrape();
    assertEquals(1.0, before.get("vizrelay_cluster_members"), "embedded: one member");
    assertEquals(0.0, before.get("vizrelay_sessions"));
    assertEquals(
        0.0,
        before.get("vizrelay_errors_total{code=\"INVALID_JSON\"}"),
        "error codes are exported from 0");

    assertEquals(200, server.post("/events", createBody()).status());
    Browser browser = server.browser("/socket?task_id=" + TASK);
    browser.await("sync", 10_000);
    int framesAtSync = browser.frames().size();
    for (int u = 0; u < UPDATES; u++) {
      assertEquals(200, server.post("/task/" + TASK + "/update", appendBody(u)).status());
    }
    browser.awaitCount(framesAtSync + UPDATES, 10_000);
    assertEquals(400, server.post("/update", "{not json").status());
    assertEquals(400, server.post("/update", "{not json either").status());
    assertEquals(404, server.get("/no/such/thing").status());

    Map<String, Double> after = scrape();
    assertEquals(1.0, delta(before, after, "vizrelay_ingest_events_total{endpoint=\"events\"}"));
    assertEquals(
        UPDATES, delta(before, after, "vizrelay_ingest_events_total{endpoint=\"update\"}"));
    assertEquals(
        CREATE_POINTS + UPDATES * POINTS_PER_UPDATE,
        delta(before, after, "vizrelay_ingest_points_total"));
    assertEquals(2.0, delta(before, after, "vizrelay_errors_total{code=\"INVALID_JSON\"}"));
    assertEquals(1.0, delta(before, after, "vizrelay_errors_total{code=\"NOT_FOUND\"}"));
    assertEquals(0.0, delta(before, after, "vizrelay_errors_total{code=\"INTERNAL\"}"));
    assertEquals(1.0, after.get("vizrelay_sessions"), "one socket open");
    assertEquals(1.0, after.get("vizrelay_channels"), "one task watched");
    assertEquals(
        UPDATES,
        delta(before, after, "vizrelay_deliveries_total"),
        "each appended frame went to the one browser");
    assertEquals(1.0, delta(before, after, "vizrelay_snapshots_total"), "the socket's first sync");
    assertEquals(0.0, delta(before, after, "vizrelay_frames_dropped_total"));
    assertEquals(0.0, delta(before, after, "vizrelay_gaps_repaired_total"));
    for (String reason : new String[] {"gap", "overflow", "epoch", "env"}) {
      assertEquals(
          0.0, delta(before, after, "vizrelay_resyncs_total{reason=\"" + reason + "\"}"), reason);
    }
    assertEquals(
        1.0 + UPDATES,
        delta(before, after, "vizrelay_store_apply_seconds_count"),
        "one apply per ingest");
    assertTrue(after.get("vizrelay_store_apply_seconds_sum") > 0);
    assertTrue(
        after.keySet().stream()
            .anyMatch(k -> k.startsWith("vizrelay_store_apply_seconds_bucket{le=")),
        "the apply latency is a histogram");
    assertEquals(1.0 + UPDATES, after.get("vizrelay_store_apply_seconds_bucket{le=\"+Inf\"}"));
    String updates =
        "vizrelay_http_requests_seconds_count{code=\"200\",method=\"POST\",route=\"/task/:taskId/update\"}";
    assertEquals(
        UPDATES,
        after.getOrDefault(updates, 0.0) - before.getOrDefault(updates, 0.0),
        "requests by route pattern");
    assertTrue(after.get("vizrelay_http_connections") >= 1, "this scrape's own connection is open");
    assertTrue(
        after.keySet().stream().anyMatch(k -> k.startsWith("vertx_pool_")),
        "Vert.x's own meters are in the same registry");
    assertFalse(
        after.keySet().stream().anyMatch(k -> k.startsWith("vertx_eventbus_")),
        "no per-message event-bus meters (they cost the ingest path a registry look-up each)");
    assertFalse(after.keySet().stream().anyMatch(k -> k.contains(TASK)), "no series names a task");

    String sid = browser.sid();
    TestServer.await(browser.close());
    long deadline = System.currentTimeMillis() + 10_000;
    while (scrape().get("vizrelay_sessions") != 0.0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Map<String, Double> closed = scrape();
    assertEquals(0.0, closed.get("vizrelay_sessions"), "session " + sid + " closed");
    assertEquals(0.0, closed.get("vizrelay_channels"));

    JsonNode stats =
        io.vizrelay.common.json.Json.parse(server.get("/api/relay/stats").body().getBytes());
    assertEquals(
        UPDATES,
        stats.path("delivered").asLong() - before.get("vizrelay_deliveries_total").longValue(),
        "/api/relay/stats reads the same counters: " + stats);
  }

  private Map<String, Double> scrape() throws Exception {
    TestServer.Response r = server.get("/metrics");
    assertEquals(200, r.status());
    return parse(r.body());
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

  /** Prometheus text format: {@code name{labels} value} lines (comments skipped). */
  static Map<String, Double> parse(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (m.find()) {
        String labels = m.group(2) == null ? "" : m.group(2).replace(",}", "}");
        out.put(m.group(1) + labels, Double.parseDouble(m.group(3)));
      }
    }
    return out;
  }

  private static double delta(
      Map<String, Double> before, Map<String, Double> after, String series) {
    assertTrue(
        after.containsKey(series),
        series
            + " is exported; got "
            + after.keySet().stream().filter(k -> k.startsWith("vizrelay")).sorted().toList());
    return after.get(series) - before.getOrDefault(series, 0.0);
  }

  private static String createBody() {
    return "{\"task_id\":\""
        + TASK
        + "\",\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":[0,1,2],\"y\":[3,2,1],"
        + "\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},\"opts\":{}}";
  }

  private static String appendBody(int u) {
    StringBuilder x = new StringBuilder();
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < POINTS_PER_UPDATE; i++) {
      int n = 3 + u * POINTS_PER_UPDATE + i;
      x.append(i > 0 ? "," : "").append(n);
      y.append(i > 0 ? "," : "").append(1.0 / (n + 1));
    }
    return "{\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":["
        + x
        + "],\"y\":["
        + y
        + "],\"name\":\"train\","
        + "\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},\"opts\":{},\"name\":\"train\",\"append\":true}";
  }
}
