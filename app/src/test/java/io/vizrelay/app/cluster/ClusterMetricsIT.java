package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.cluster.ClusterNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every clustered node serves {@code GET /metrics} (docs/METRICS.md): each counts what it did, sees
 * the cluster's members and exports Vert.x's own meters.
 */
class ClusterMetricsIT {
  @TempDir Path dir;

  @Test
  void everyNodeServesItsOwnMetrics() throws Exception {
    try (ClusterHarness cluster = new ClusterHarness(dir, 2)) {
      ClusterNode a = cluster.startNode();
      ClusterNode b = cluster.startNode();
      Map<String, Double> beforeA = scrape(cluster, a);
      Map<String, Double> beforeB = scrape(cluster, b);
      for (int i = 0; i < 3; i++) {
        assertEquals(
            200,
            cluster
                .post(a.port(), "/update", ClusterHarness.point("alice-cm", "loss", i, i))
                .status());
      }
      assertEquals(400, cluster.post(b.port(), "/update", "{oops").status());
      Map<String, Double> afterA = scrape(cluster, a);
      Map<String, Double> afterB = scrape(cluster, b);
      assertEquals(2.0, afterA.get("vizrelay_cluster_members"));
      assertEquals(2.0, afterB.get("vizrelay_cluster_members"));
      String events = "vizrelay_ingest_events_total{endpoint=\"update\"}";
      assertEquals(3.0, afterA.get(events) - beforeA.get(events), "node a applied three");
      assertEquals(0.0, afterB.get(events) - beforeB.get(events), "node b none");
      assertEquals(
          3.0,
          afterA.get("vizrelay_ingest_points_total") - beforeA.get("vizrelay_ingest_points_total"));
      assertEquals(
          3.0,
          afterA.get("vizrelay_store_apply_seconds_count")
              - beforeA.get("vizrelay_store_apply_seconds_count"));
      String invalid = "vizrelay_errors_total{code=\"INVALID_JSON\"}";
      assertEquals(1.0, afterB.get(invalid) - beforeB.get(invalid));
      assertTrue(
          afterA.keySet().stream()
              .anyMatch(k -> k.startsWith("vizrelay_http_requests_seconds_count{")));
    }
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

  private static Map<String, Double> scrape(ClusterHarness cluster, ClusterNode node)
      throws Exception {
    ClusterHarness.Response r = cluster.get(node.port(), "/metrics");
    assertEquals(200, r.status());
    Map<String, Double> out = new HashMap<>();
    for (String line : r.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        out.put(
            m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
      }
    }
    return out;
  }
}
