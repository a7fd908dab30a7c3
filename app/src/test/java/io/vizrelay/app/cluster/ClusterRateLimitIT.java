package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.auth.ApiKeys;
import io.vizrelay.common.cluster.ClusterNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest rate per credential holds across replicas (issue 18): a real two-node Hazelcast
 * cluster in this JVM, {@code VIZRELAY_INGEST_RATE_PER_SECOND=2} (bursts of 4). One API key sends
 * to both nodes in turn as fast as it can (a malformed body: the rate is counted before the body is
 * read, so each request is cheap and answers 400 when let through): the cluster as a whole lets
 * through one burst plus the refill of the elapsed time, where counting per node would let through
 * about twice that.
 */
class ClusterRateLimitIT {
  static final int RATE = 2;

  @TempDir Path dir;

  @Test
  void oneCredentialGetsTheRateOnceAcrossTwoReplicas() throws Exception {
    Path keys = dir.resolve("keys.txt");
    String key = ApiKeys.generate();
    ApiKeys.add(keys, "alice", key, null);
    Map<String, String> env =
        Map.of(
            "VIZRELAY_AUTH", "jwt",
            "VIZRELAY_API_KEYS_FILE", keys.toString(),
            "VIZRELAY_INGEST_RATE_PER_SECOND", Integer.toString(RATE));
    try (ClusterHarness cluster = new ClusterHarness(dir, 2, env)) {
      ClusterNode a = cluster.startNode();
      ClusterNode b = cluster.startNode();
      int accepted = 0;
      int refused = 0;
      int attempts = 40;
      long start = System.nanoTime();
      for (int i = 0; i < attempts; i++) {
        ClusterNode node = i % 2 == 0 ? a : b;
        HttpResponse<String> r =
            cluster.http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/update"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 400) {
          accepted++; // let through by the limit, refused by the parser
        } else {
          assertEquals(429, r.statusCode(), r.body());
          assertTrue(r.headers().firstValue("Retry-After").isPresent());
          refused++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long allowed = 2L * RATE + (long) Math.ceil(seconds * RATE);
      System.out.printf(
          "rate limit across 2 replicas: %d accepted, %d refused in %.2f s (cluster-wide bound %d,"
              + " per-node counting would allow %d)%n",
          accepted, refused, seconds, allowed, 2 * allowed);
      assertTrue(accepted <= allowed, accepted + " accepted, bound " + allowed);
      assertTrue(
          attempts >= 2 * allowed,
          "the run was quick enough that per-node counting would have let through more than the"
              + " bound ("
              + seconds
              + " s)");
      assertTrue(accepted >= 2 * RATE, "a full burst passes: " + accepted);
      assertTrue(refused > 0);
    }
  }
}
