package io.vizrelay.app.cluster;

import static io.vizrelay.app.cluster.ClusterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.app.RawHttp;
import io.vizrelay.common.auth.ApiKeys;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.ConnectionCounts;
import io.vizrelay.common.cluster.ClusterNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sockets per user hold across replicas (issue 18 item 3): three real clustered Vert.x nodes in
 * this JVM, {@code VIZRELAY_MAX_CONNECTIONS_PER_USER=4}. One user opening browser sockets ({@code
 * /socket}) and job sockets ({@code /vis_socket}) round-robin over the nodes gets 4 of each in
 * total, the next is refused (429) on every node, and a socket closed (FIN) or dropped (TCP reset)
 * on one node lets one new socket in on another.
 */
class ClusterConnectionLimitIT {
  static final int MAX = 4;

  @TempDir Path dir;

  @Test
  void oneUserGetsTheLimitOnceAcrossThreeReplicas() throws Exception {
    Path keys = dir.resolve("keys.txt");
    String key = ApiKeys.generate();
    ApiKeys.add(keys, "alice", key, null);
    Map<String, String> env =
        Map.of(
            "VIZRELAY_AUTH", "jwt",
            "VIZRELAY_API_KEYS_FILE", keys.toString(),
            "VIZRELAY_MAX_CONNECTIONS_PER_USER", Integer.toString(MAX));
    try (ClusterHarness cluster = new ClusterHarness(dir, 3, env)) {
      List<ClusterNode> nodes =
          List.of(cluster.startNode(), cluster.startNode(), cluster.startNode());
      AuthGate gate = await(AuthGate.forProcess(nodes.get(0).vertx(), nodes.get(0).config()), 30);
      new Round(nodes, "Authorization: Bearer " + key, "/socket?task_id=alice-conn")
          .run(gate.browserSockets());
      new Round(nodes, "Authorization: Bearer " + key, "/vis_socket?task_id=alice-conn")
          .run(gate.jobSockets());
    }
  }

  /** One socket kind: fill the limit over the nodes, refuse, free one each way, refill. */
  private record Round(List<ClusterNode> nodes, String auth, String uri) {
    void run(ConnectionCounts counts) throws Exception {
      List<RawHttp> open = new ArrayList<>();
      for (int i = 0; i < MAX; i++) {
        open.add(expectOpen(node(i)));
      }
      for (int i = 0; i < nodes.size(); i++) {
        expectRefused(node(i), "socket " + (MAX + 1) + " on node " + i);
      }
      assertEquals(MAX, (int) await(counts.openInCluster("alice"), 30), uri + ": counted");

      open.remove(0).close(); // a FIN, no close frame, on node 0
      awaitBelowMax(counts);
      open.add(expectOpen(node(1)));
      expectRefused(node(2), "after the closed socket's place was taken");

      open.remove(0).drop(); // a TCP reset, on node 1
      awaitBelowMax(counts);
      open.add(expectOpen(node(2)));
      expectRefused(node(0), "after the dropped socket's place was taken");

      for (RawHttp ws : open) {
        ws.close();
      }
      awaitCount(counts, n -> n == 0, "every socket given back");
    }

    private int node(int i) {
      return nodes.get(i % nodes.size()).port();
    }

    private RawHttp expectOpen(int port) throws Exception {
      RawHttp ws = RawHttp.connect(port);
      ws.write(RawHttp.upgrade(port, uri, auth));
      String head = ws.readHead();
      assertEquals(101, RawHttp.status(head), uri + " opens on port " + port + ": " + head);
      return ws;
    }

    private void expectRefused(int port, String what) throws Exception {
      try (RawHttp ws = RawHttp.connect(port)) {
        ws.write(RawHttp.upgrade(port, uri, auth));
        String head = ws.readHead();
        assertEquals(429, RawHttp.status(head), uri + ", " + what + ": " + head);
      }
    }

    /** Waits (bounded) until the node noticed the closed connection and gave its count back. */
    private void awaitBelowMax(ConnectionCounts counts) throws Exception {
      awaitCount(counts, n -> n < MAX, "the closed socket's count given back");
    }

    private void awaitCount(ConnectionCounts counts, Function<Integer, Boolean> done, String what)
        throws Exception {
      long deadline = System.nanoTime() + 20_000_000_000L;
      int n;
      while (!done.apply(n = await(counts.openInCluster("alice"), 30))) {
        assertTrue(System.nanoTime() < deadline, uri + ": " + what + " (" + n + " counted)");
        Thread.sleep(20); // polling interval, not a synchronisation
      }
    }
  }
}
