package io.vizrelay.socket;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vizrelay.common.config.EnvVars;
import java.util.Map;

/**
 * Server pings on browser WebSockets every {@code VIZRELAY_WS_PING_SECONDS} (default 25; 0 = off):
 * an idle socket through a proxy or load balancer (nginx's 60 s read timeout, cloud load balancers'
 * idle timeouts) stays open, and a dead peer is noticed by TCP. Browsers answer pings with pongs by
 * themselves. One timer per socket, on the socket's own event loop; it ends with the socket.
 */
final class SocketPings {
  static final String KEY = "VIZRELAY_WS_PING_SECONDS";
  static final int DEFAULT_SECONDS = 25;
  private static final Buffer EMPTY = Buffer.buffer();

  private SocketPings() {}

  /** The ping interval in milliseconds from the environment; 0 when pings are off. */
  static long intervalMs(Map<String, String> env) {
    return new EnvVars(env).integer(KEY, DEFAULT_SECONDS, 0, 3600) * 1000L;
  }

  /**
   * Pings {@code ws} every {@code intervalMs} until it closes; nothing when {@code intervalMs} is
   * 0.
   */
  static void start(Vertx vertx, ServerWebSocket ws, long intervalMs) {
    if (intervalMs <= 0) {
      return;
    }
    vertx.setPeriodic(
        intervalMs,
        id -> {
          if (ws.isClosed()) {
            vertx.cancelTimer(id);
          } else {
            ws.writePing(EMPTY);
          }
        });
  }
}
