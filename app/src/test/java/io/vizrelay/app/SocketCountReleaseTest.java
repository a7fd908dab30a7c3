package io.vizrelay.app;

import static io.vizrelay.app.AuthFixture.bearer;
import static io.vizrelay.app.AuthFixture.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.ConnectionCounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 20 item 5: a socket whose TCP connection drops without a close frame (a reset, or a bare
 * FIN) gives its user's count back, for browser sockets ({@code /socket}) and job sockets ({@code
 * /vis_socket}) alike: after dropping all of them the user opens as many again.
 */
class SocketCountReleaseTest {
  static final int MAX = 4;

  @TempDir Path dir;
  AuthFixture fx;
  ConnectionCounts browserSockets;
  ConnectionCounts jobSockets;

  @BeforeEach
  void start() throws Exception {
    fx = AuthFixture.start(dir, Map.of("VIZRELAY_MAX_CONNECTIONS_PER_USER", Integer.toString(MAX)));
    AuthGate gate =
        TestServer.await(AuthGate.forProcess(fx.server.vertx, fx.server.server.config()));
    browserSockets = gate.browserSockets();
    jobSockets = gate.jobSockets();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @ParameterizedTest(name = "{0}, dropped by {1}")
  @CsvSource({
    "/socket?task_id=bob-t, reset",
    "/socket?task_id=bob-t, fin",
    "/vis_socket?task_id=bob-t, reset",
    "/vis_socket?task_id=bob-t, fin",
  })
  void aDroppedConnectionGivesTheUsersSocketBack(String uri, String drop) throws Exception {
    ConnectionCounts counts = uri.startsWith("/vis_socket") ? jobSockets : browserSockets;
    for (int round = 0; round < 3; round++) {
      List<RawHttp> open = openAll(uri);
      assertEquals(MAX, counts.open("bob"), "round " + round + ": bob holds " + MAX);
      try (RawHttp extra = RawHttp.connect(fx.server.port())) {
        extra.write(RawHttp.upgrade(fx.server.port(), uri, "Authorization: " + bearer(bob())));
        assertEquals(429, RawHttp.status(extra.readHead()), "the limit holds");
      }
      for (RawHttp ws : open) {
        if (drop.equals("reset")) {
          ws.drop();
        } else {
          ws.close();
        }
      }
      awaitZero(counts, c -> c.open("bob"));
    }
  }

  private List<RawHttp> openAll(String uri) throws Exception {
    List<RawHttp> open = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      RawHttp ws = RawHttp.connect(fx.server.port());
      open.add(ws);
      ws.write(RawHttp.upgrade(fx.server.port(), uri, "Authorization: " + bearer(bob())));
      String head = ws.readHead();
      assertEquals(101, RawHttp.status(head), "socket " + i + " opens: " + head);
    }
    return open;
  }

  private static String bob() {
    return token("bob");
  }

  /** Waits (bounded) until the server closed the dropped sockets and released their count. */
  private static void awaitZero(ConnectionCounts counts, Function<ConnectionCounts, Integer> open) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (open.apply(counts) > 0) {
      assertTrue(
          System.currentTimeMillis() < deadline,
          "the dropped sockets' count was released: " + open.apply(counts) + " left");
      Thread.onSpinWait();
    }
  }
}
