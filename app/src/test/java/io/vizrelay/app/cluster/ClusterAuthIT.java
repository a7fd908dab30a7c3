package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.auth.ApiKeys;
import io.vizrelay.common.auth.UsersFile;
import io.vizrelay.common.cluster.ClusterNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation across replicas (issue 18): a real two-node Hazelcast cluster in this JVM on
 * 127.0.0.1, auth on. An API key revoked by an admin on one node, a key removed from the keys file
 * with {@code UsersCli apikey revoke}, and a session signed out on one node are each refused by the
 * other node within 2 s.
 */
class ClusterAuthIT {
  static final String SECRET = "0123456789abcdef0123456789abcdef-cluster";
  static final long WITHIN_MS = 2000;

  @TempDir Path dir;

  record Env(Map<String, String> env, String aliceKey, String bobKey) {}

  Env env() throws Exception {
    Path users = dir.resolve("users.txt");
    UsersFile.put(users, "root", "root-pw", Set.of("admin"));
    UsersFile.put(users, "alice", "alice-pw", Set.of());
    Path keys = dir.resolve("keys.txt");
    String aliceKey = ApiKeys.generate();
    String bobKey = ApiKeys.generate();
    ApiKeys.add(keys, "alice", aliceKey, null);
    ApiKeys.add(keys, "bob", bobKey, null);
    Map<String, String> env = new HashMap<>();
    env.put("VIZRELAY_AUTH", "jwt");
    env.put("VIZRELAY_JWT_HS256_SECRET", SECRET);
    env.put("VIZRELAY_USERS_FILE", users.toString());
    env.put("VIZRELAY_API_KEYS_FILE", keys.toString());
    return new Env(env, aliceKey, bobKey);
  }

  static HttpResponse<String> send(
      ClusterHarness c,
      ClusterNode node,
      String method,
      String path,
      String body,
      String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until {@code node} answers 401 to {@code GET /api/tasks} with the header; the delay. */
  static long awaitRefused(ClusterHarness c, ClusterNode node, long since, String... headers)
      throws Exception {
    long deadline = since + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (send(c, node, "GET", "/api/tasks", null, headers).statusCode() == 401) {
        return System.currentTimeMillis() - since;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("still accepted after 10 s");
  }

  @Test
  void revocationsReachTheOtherReplicaWithinTwoSeconds() throws Exception {
    Env e = env();
    try (ClusterHarness cluster = new ClusterHarness(dir, 2, e.env())) {
      ClusterNode a = cluster.startNode();
      ClusterNode b = cluster.startNode();
      String alice = "Bearer " + e.aliceKey();
      String bob = "Bearer " + e.bobKey();
      for (ClusterNode n : new ClusterNode[] {a, b}) {
        assertEquals(
            200, send(cluster, n, "GET", "/api/tasks", null, "Authorization", alice).statusCode());
        assertEquals(
            200, send(cluster, n, "GET", "/api/tasks", null, "Authorization", bob).statusCode());
      }
      HttpResponse<String> login =
          send(
              cluster,
              a,
              "POST",
              "/auth/login",
              "{\"username\":\"root\",\"password\":\"root-pw\"}",
              "Content-Type",
              "application/json");
      assertEquals(200, login.statusCode(), login.body());
      String root = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      assertEquals(200, send(cluster, b, "GET", "/api/tasks", null, "Cookie", root).statusCode());

      // an admin revokes alice's key on node a; node b refuses it within 2 s
      assertEquals(
          403,
          send(
                  cluster,
                  a,
                  "DELETE",
                  "/api/auth/api-keys/" + ApiKeys.id(e.aliceKey()),
                  null,
                  "Authorization",
                  bob)
              .statusCode(),
          "only admins");
      long t0 = System.currentTimeMillis();
      HttpResponse<String> revoke =
          send(
              cluster,
              a,
              "DELETE",
              "/api/auth/api-keys/" + ApiKeys.id(e.aliceKey()),
              null,
              "Cookie",
              root);
      assertEquals(204, revoke.statusCode(), revoke.body());
      long delay = awaitRefused(cluster, b, t0, "Authorization", alice);
      assertTrue(delay <= WITHIN_MS, "refused on the other replica after " + delay + " ms");
      assertEquals(
          401, send(cluster, a, "GET", "/api/tasks", null, "Authorization", alice).statusCode());
      assertEquals(
          200,
          send(cluster, b, "GET", "/api/tasks", null, "Authorization", bob).statusCode(),
          "other keys stay");

      // the keys file edited with UsersCli apikey revoke: both replicas re-read it
      long t1 = System.currentTimeMillis();
      assertEquals(1, ApiKeys.revoke(dir.resolve("keys.txt"), e.bobKey()).size());
      long fileDelay =
          Math.max(
              awaitRefused(cluster, a, t1, "Authorization", bob),
              awaitRefused(cluster, b, t1, "Authorization", bob));
      assertTrue(fileDelay <= WITHIN_MS, "file revocation after " + fileDelay + " ms");

      // root signs out on node a; his cookie is refused on node b within 2 s
      long t2 = System.currentTimeMillis();
      assertEquals(
          204, send(cluster, a, "POST", "/auth/logout", null, "Cookie", root).statusCode());
      long out = awaitRefused(cluster, b, t2, "Cookie", root);
      assertTrue(out <= WITHIN_MS, "signed-out session refused after " + out + " ms");
      System.out.printf(
          "revocation reached the other replica after: key %d ms, keys file %d ms, session %d ms%n",
          delay, fileDelay, out);
    }
  }
}
