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
        // no cleartext HTTP/2 upgrade: behind a proxy it lets a client tunnel requests past the
        // proxy's rules (h2c smuggling), and an upgraded JDK client was seen to wedge its
        // connection until the idle timeout. Clients that ask get HTTP/1.1, as visdom and browsers
        // use anyway.
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(config.auth().idleTimeoutSeconds())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
  }
}
