package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.app.RawHttp;
import io.vizrelay.common.auth.UsersFile;
import io.vizrelay.common.cluster.ClusterNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-in attempt limits hold across replicas (issue 18 item 3): two real clustered Vert.x nodes in
 * this JVM. Wrong passwords for one account, from a fresh client address each time and alternating
 * between the nodes, are let through at most the account's burst (10) plus one per 6 s of the run,
 * once for the cluster; and attempts from one address naming no account are let through at most the
 * address's burst (10) plus 5 per second. Counting per node would let through twice the bursts.
 */
class ClusterSignInLimitIT {
  static final String SECRET = "0123456789abcdef0123456789abcdef-signin";
  static final int ACCOUNT_BURST = 10;
  static final double ACCOUNT_PER_SECOND = 1.0 / 6;
  static final int ADDRESS_BURST = 10;
  static final int ADDRESS_PER_SECOND = 5;

  @TempDir Path dir;

  @Test
  void failedSignInsOverBothReplicasAreLimitedOnce() throws Exception {
    Path users = dir.resolve("users.txt");
    UsersFile.put(users, "alice", "alice-pw", Set.of());
    Map<String, String> env =
        Map.of(
            "VIZRELAY_AUTH",
            "jwt",
            "VIZRELAY_JWT_HS256_SECRET",
            SECRET,
            "VIZRELAY_USERS_FILE",
            users.toString());
    try (ClusterHarness cluster = new ClusterHarness(dir, 2, env)) {
      List<ClusterNode> nodes = List.of(cluster.startNode(), cluster.startNode());
      oneAccountFromManyAddresses(nodes);
      oneAddressWithoutAccounts(nodes);
    }
  }

  private static void oneAccountFromManyAddresses(List<ClusterNode> nodes) throws Exception {
    int attempts = 2 * ACCOUNT_BURST + 4;
    int letThrough = 0;
    long start = System.nanoTime();
    for (int i = 0; i < attempts; i++) {
      int status =
          login(
              nodes.get(i % 2).port(),
              "127.0.0." + (20 + i),
              "{\"username\":\"alice\",\"password\":\"guess" + i + "\"}");
      letThrough += count(status, 401);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long bound = ACCOUNT_BURST + (long) Math.ceil(seconds * ACCOUNT_PER_SECOND);
    System.out.printf(
        "sign-in limit per account across 2 replicas: %d of %d let through in %.2f s (bound %d)%n",
        letThrough, attempts, seconds, bound);
    assertTrue(letThrough <= bound, letThrough + " wrong passwords let through, bound " + bound);
    assertTrue(letThrough >= ACCOUNT_BURST, "the burst passes: " + letThrough);
    assertTrue(
        bound < 2 * ACCOUNT_BURST,
        "the run was quick enough that counting per node would have let more through ("
            + seconds
            + " s)");
  }

  private static void oneAddressWithoutAccounts(List<ClusterNode> nodes) throws Exception {
    int attempts = 4 * ADDRESS_BURST;
    int letThrough = 0;
    long start = System.nanoTime();
    for (int i = 0; i < attempts; i++) {
      // no user name: only the address is counted, and nothing is hashed (a quick 401)
      letThrough += count(login(nodes.get(i % 2).port(), "127.0.0.90", "{}"), 401);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long bound = ADDRESS_BURST + (long) Math.ceil(seconds * ADDRESS_PER_SECOND);
    System.out.printf(
        "sign-in limit per address across 2 replicas: %d of %d let through in %.2f s (bound %d)%n",
        letThrough, attempts, seconds, bound);
    assertTrue(letThrough <= bound, letThrough + " attempts let through, bound " + bound);
    assertTrue(letThrough >= ADDRESS_BURST, "the burst passes: " + letThrough);
  }

  /** 1 when {@code status} is the let-through answer, 0 for 429; anything else fails the test. */
  private static int count(int status, int letThrough) {
    assertTrue(status == letThrough || status == 429, "status " + status);
    return status == letThrough ? 1 : 0;
  }

  /** {@code POST /auth/login} from the loopback address {@code source}; the status. */
  private static int login(int port, String source, String body) throws Exception {
    try (RawHttp c = RawHttp.connect(port, source)) {
      c.write(
          "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:"
              + port
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body);
      String head = c.readHead();
      assertTrue(head != null, "an answer from port " + port);
      return RawHttp.status(head);
    }
  }
}
