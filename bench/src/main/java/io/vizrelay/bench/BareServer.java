package io.vizrelay.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ceiling: a Vert.x HTTP server configured like the embedded one (one server, TCP_NODELAY,
 * compression supported) that reads each request body and answers 200 with a window id, doing
 * nothing else. Started as a separate process: {@code BareServer <dataDir>}; writes {@code
 * <dataDir>/port} once listening.
 */
public final class BareServer {
  private BareServer() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Vertx vertx = Vertx.vertx();
    int port =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost("127.0.0.1")
                    .setPort(0)
                    .setTcpNoDelay(true)
                    .setCompressionSupported(true))
            .requestHandler(
                req ->
                    req.body()
                        .onComplete(
                            body ->
                                req.response()
                                    .putHeader("content-type", "text/html; charset=UTF-8")
                                    .end("loss")))
            .listen()
            .await()
            .actualPort();
    Files.writeString(dir.resolve("port"), Integer.toString(port), StandardCharsets.UTF_8);
  }
}
