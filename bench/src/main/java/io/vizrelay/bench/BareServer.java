package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ingest ceiling: a Vert.x HTTP server configured like the embedded one (TCP_NODELAY,
 * compression supported, as many server instances sharing the port as {@code VIZRELAY_EVENT_LOOPS}
 * gives the embedded one) that reads each request body and answers 200 with a window id, doing
 * nothing else. Started as a separate process: {@code BareServer <dataDir> [instances]}; writes
 * {@code <dataDir>/port} once listening. {@link #serve} is the same start-up for the other bare
 * servers ({@link BareFanoutServer}).
 */
public final class BareServer {
  /** Sets up one server instance; runs on the instance's own event-loop context. */
  @FunctionalInterface
  interface Instance {
    HttpServer configure(HttpServer server, Context context);
  }

  private BareServer() {}

  public static void main(String[] args) throws Exception {
    serve(args, (server, context) -> server.requestHandler(BareServer::answer));
  }

  /**
   * Starts {@code args[1]} (default 1) server instances on one free port of 127.0.0.1, each set up
   * by {@code instance} on its own event loop, and writes the port to {@code <args[0]>/port}.
   */
  static void serve(String[] args, Instance instance) throws Exception {
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
                    HttpServer server =
                        vertx.createHttpServer(
                            new HttpServerOptions()
                                .setHost("127.0.0.1")
                                .setPort(-1) // one free port shared by the instances
                                .setTcpNoDelay(true)
                                .setCompressionSupported(true));
                    return instance.configure(server, context).listen().onSuccess(servers::add);
                  }
                },
            new DeploymentOptions().setInstances(instances))
        .await();
    int port = servers.get(0).actualPort();
    Files.writeString(dir.resolve("port"), Integer.toString(port), StandardCharsets.UTF_8);
  }

  /**
   * Reads the body, answers 200 {@code loss} (what vizrelay answers an append with), uncompressed
   * as vizrelay sends its small answers (its {@code Compression}) to a client that accepts gzip.
   */
  static void answer(HttpServerRequest req) {
    req.body().onComplete(body -> reply(req, 200));
  }

  /** The answer every bare server gives: {@code loss} with {@code status}, uncompressed. */
  static void reply(HttpServerRequest req, int status) {
    req.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader("content-type", "text/html; charset=UTF-8")
        .end("loss");
  }
}
