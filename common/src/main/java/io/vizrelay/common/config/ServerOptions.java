package io.vizrelay.common.config;

import io.vertx.core.http.HttpServerOptions;

/** The HTTP/WebSocket server options every vizrelay server uses (embedded and clustered). */
public final class ServerOptions {
  /** Largest WebSocket message accepted from a browser. */
  public static final int MAX_WEBSOCKET_MESSAGE = 1024 * 1024;

  private ServerOptions() {}

  public static HttpServerOptions http(VizConfig config) {
    return new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setCompressionSupported(true)
        .setPerMessageWebSocketCompressionSupported(config.wsCompression())
        .setPerFrameWebSocketCompressionSupported(config.wsCompression())
        .setMaxWebSocketMessageSize(MAX_WEBSOCKET_MESSAGE)
        .setTcpNoDelay(true)
        .setIdleTimeout(config.auth().idleTimeoutSeconds())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
  }
}
