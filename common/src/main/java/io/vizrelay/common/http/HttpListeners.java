package io.vizrelay.common.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vizrelay.common.config.ServerOptions;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.metrics.Metrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process's HTTP/WebSocket servers: {@code VIZRELAY_EVENT_LOOPS} server instances on one port,
 * each on an event loop of its own (a verticle instance each), all serving the one router. Vert.x
 * shares the listening socket between servers of the same host and port and hands each accepted
 * connection to one of them, so a connection (and its WebSocket) lives on one loop. With port 0 the
 * instances share one free port (Vert.x's negative-port sharing). State that must stay on one loop
 * lives in {@link PerLoop}s.
 */
public final class HttpListeners {
  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final List<String> deployments;

  private HttpListeners(Vertx vertx, List<HttpServer> servers, List<String> deployments) {
    this.vertx = vertx;
    this.servers = servers;
    this.deployments = deployments;
  }

  /**
   * Vert.x options with at least {@code config.eventLoops()} event loops (Vert.x's default is two
   * per core), so that every server instance gets a loop of its own.
   */
  public static VertxOptions vertxOptions(VizConfig config) {
    return new VertxOptions()
        .setEventLoopPoolSize(
            Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, config.eventLoops()));
  }

  /**
   * The router's own errors through the error handler ({@link HttpFront}), then {@code
   * config.eventLoops()} servers listening with the shared server options.
   */
  public static Future<HttpListeners> listen(
      Vertx vertx, VizConfig config, Router router, Metrics metrics) {
    HttpFront.routerErrors(router);
    List<HttpServer> servers = new CopyOnWriteArrayList<>();
    int port = config.port() != 0 ? config.port() : -RANDOM_PORTS.incrementAndGet();
    return vertx
        .deployVerticle(
            () -> new Listener(config, router, metrics, port, servers),
            new DeploymentOptions().setInstances(config.eventLoops()))
        .map(id -> new HttpListeners(vertx, servers, List.of(id)));
  }

  /**
   * Vert.x binds a negative port {@code -k} as port 0 once and shares it among every server given
   * {@code -k} (a plain 0 is never shared): each {@link #listen} with port 0 takes its own {@code
   * k}, so two servers of one Vert.x never share by accident.
   */
  private static final AtomicInteger RANDOM_PORTS = new AtomicInteger();

  /** One server instance: created and listening on its verticle's event loop. */
  private static final class Listener extends VerticleBase {
    private final VizConfig config;
    private final Router router;
    private final Metrics metrics;
    private final int port;
    private final List<HttpServer> servers;

    Listener(VizConfig config, Router router, Metrics metrics, int port, List<HttpServer> servers) {
      this.config = config;
      this.router = router;
      this.metrics = metrics;
      this.port = port;
      this.servers = servers;
    }

    @Override
    public Future<?> start() {
      return metrics
          .http()
          .countConnections(vertx.createHttpServer(ServerOptions.http(config).setPort(port)))
          .requestHandler(router)
          .listen()
          .onSuccess(servers::add);
    }
  }

  /** The port every instance listens on. */
  public int port() {
    return servers.get(0).actualPort();
  }

  /** Server instances listening (one per event loop). */
  public int size() {
    return servers.size();
  }

  /**
   * Stops accepting, lets in-flight requests finish within {@code grace}, then closes every
   * instance.
   */
  public Future<Void> shutdown(long grace, TimeUnit unit) {
    return Future.join(servers.stream().map(s -> s.shutdown(grace, unit)).toList())
        .transform(ar -> undeploy(vertx, deployments));
  }

  /** Closes every instance at once. */
  public Future<Void> close() {
    return undeploy(vertx, deployments);
  }

  private static Future<Void> undeploy(Vertx vertx, List<String> ids) {
    return Future.join(ids.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
