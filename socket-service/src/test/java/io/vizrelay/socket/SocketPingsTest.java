package io.vizrelay.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Server pings on WebSockets (VIZRELAY_WS_PING_SECONDS): a real server, a real JDK WebSocket
 * client.
 */
class SocketPingsTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theIntervalComesFromTheEnvironmentWithADefaultOf25Seconds() {
    assertEquals(25_000, SocketPings.intervalMs(Map.of()));
    assertEquals(5_000, SocketPings.intervalMs(Map.of("VIZRELAY_WS_PING_SECONDS", "5")));
    assertEquals(
        0, SocketPings.intervalMs(Map.of("VIZRELAY_WS_PING_SECONDS", "0")), "0 turns pings off");
    assertThrows(
        IllegalArgumentException.class,
        () -> SocketPings.intervalMs(Map.of("VIZRELAY_WS_PING_SECONDS", "-1")));
  }

  @Test
  void anIdleSocketGetsPingsFromTheServerUntilItCloses() throws Exception {
    AtomicInteger serverSockets = new AtomicInteger();
    HttpServer server =
        vertx
            .createHttpServer()
            .webSocketHandler(
                ws -> {
                  serverSockets.incrementAndGet();
                  SocketPings.start(vertx, ws, 100);
                })
            .listen(0, "127.0.0.1")
            .await();
    CountDownLatch pings = new CountDownLatch(3);
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.countDown();
            webSocket.request(1);
            return null; // the JDK client answers with a pong by itself
          }
        };
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + server.actualPort() + "/socket"), listener)
            .get(10, TimeUnit.SECONDS);
    assertTrue(pings.await(30, TimeUnit.SECONDS), "three pings from the server on an idle socket");
    assertEquals(1, serverSockets.get());
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }
}
