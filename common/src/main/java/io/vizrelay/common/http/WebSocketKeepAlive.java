package io.vizrelay.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vizrelay.common.config.VizConfig;

/**
 * Keeps an open WebSocket inside the HTTP idle timeout ({@code
 * VIZRELAY_HTTP_IDLE_TIMEOUT_SECONDS}): a ping every half timeout. A client that answers (every
 * browser and WebSocket library does) stays connected however quiet its task; a connection whose
 * peer stopped reading stops completing writes and is closed by the timeout.
 */
public final class WebSocketKeepAlive {
  private WebSocketKeepAlive() {}

  /** Starts pinging {@code ws}; the caller cancels the returned timer when the socket closes. */
  public static long start(Vertx vertx, VizConfig config, ServerWebSocket ws) {
    long periodMs = Math.max(500, config.auth().idleTimeoutSeconds() * 1000L / 2);
    return vertx.setPeriodic(
        periodMs,
        id -> {
          if (!ws.isClosed()) {
            ws.writePing(Buffer.buffer());
          }
        });
  }
}
