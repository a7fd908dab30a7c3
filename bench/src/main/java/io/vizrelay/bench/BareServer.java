package io.vizrelay.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ceiling: a Vert.x HTTP server configured like the embedded one (TCP_NODELAY, compression
 * supported, as many server instances sharing the port as {@code VIZRELAY_EVENT_LOOPS} gives the
 * embedded one) that reads each request body and answers 200 with a window id, doing nothing else.
 * Started as a separate process: {@code BareServer <dataDir> [instances]}; writes {@code
 * <dataDir>/port} once listening.
 */
public final class BareServer {
  private BareServer() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(
                    Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, instances)));
    List<HttpServer> servers = new CopyOnWriteArrayList<>();
    vertx
        .deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    return vertx
                        .createHttpServer(
                            new HttpServerOptions()
                                .setHost("127.0.0.1")
                                .setPort(-1) // one free port shared by the instances
                                .setTcpNoDelay(true)
                                .setCompressionSupported(true))
                        .requestHandler(BareServer::answer)
                        .listen()
                        .onSuccess(servers::add);
                  }
                },
            new DeploymentOptions().setInstances(instances))
        .await();
    int port = servers.get(0).actualPort();
    Files.writeString(dir.resolve("port"), Integer.toString(port), StandardCharsets.UTF_8);
  }

  private static void answer(HttpServerRequest req) {
    req.body()
        .onComplete(
            body ->
                req.response().putHeader("content-type", "text/html; charset=UTF-8").end("loss"));
  }
}
