package io.vizrelay.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** A test browser on one node: records every frame; waits are bounded. */
final class WsBrowser {
  final int port;
  private final WebSocket ws;
  private final List<JsonNode> frames = new ArrayList<>();
  final CompletableFuture<Short> closed = new CompletableFuture<>();

  /** The close frame's reason, set before {@link #closed} completes. */
  volatile String closeReason;

  private WsBrowser(int port, WebSocket ws) {
    this.port = port;
    this.ws = ws;
    ws.textMessageHandler(
        text -> {
          synchronized (frames) {
            frames.add(Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8)));
            frames.notifyAll();
          }
        });
    ws.closeHandler(
        v -> {
          closeReason = ws.closeReason();
          closed.complete(ws.closeStatusCode());
          synchronized (frames) {
            frames.notifyAll();
          }
        });
  }

  static Future<WsBrowser> connect(WebSocketClient client, int port, String uri) {
    // Handlers first, then connect: the server's first frames must find a listener.
    ClientWebSocket ws = client.webSocket();
    WsBrowser browser = new WsBrowser(port, ws);
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
        .map(connected -> browser);
  }

  List<JsonNode> frames() {
    synchronized (frames) {
      return new ArrayList<>(frames);
    }
  }

  /**
   * Waits until some frame matches, or the socket closed, or the deadline; true when one matched.
   */
  boolean await(Predicate<JsonNode> match, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (frames) {
      while (true) {
        for (JsonNode f : frames) {
          if (match.test(f)) {
            return true;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0 || closed.isDone()) {
          return false;
        }
        frames.wait(Math.min(left, 100));
      }
    }
  }

  /** Waits until a live frame with seq >= {@code seq} arrived. */
  boolean awaitSeq(long seq, long timeoutMs) throws InterruptedException {
    return await(f -> isLive(f) && f.path("seq").asLong() >= seq, timeoutMs);
  }

  static boolean isLive(JsonNode f) {
    return f.has("seq") && !"sync".equals(f.path("command").asText());
  }

  Future<Void> close() {
    return ws.close();
  }
}
