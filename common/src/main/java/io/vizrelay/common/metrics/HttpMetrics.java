package io.vizrelay.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP server meters (docs/METRICS.md): {@code vizrelay_http_requests_seconds{route,method,code}}
 * (count, sum, max) and {@code vizrelay_http_connections}. They replace Vert.x's own HTTP server
 * meters, which build and look up their timer in the registry on every request: in a profile of
 * 1-point ingest that lookup was 15 % of the event loop. Here each (route pattern, method, status)
 * finds its timer in a map after the first request; routes are patterns (e.g. {@code
 * /task/:taskId/update}), never paths, so the set stays small.
 */
public final class HttpMetrics implements Handler<RoutingContext> {
  static final String REQUESTS = "vizrelay.http.requests";

  /** The label of requests that matched no route with a path (the 404 fallback). */
  static final String UNMATCHED = "unmatched";

  private final MeterRegistry registry;
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicInteger connections = new AtomicInteger();

  private record Key(String route, String method, int code) {}

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vizrelay.http.connections", connections, AtomicInteger::get)
        .description("open HTTP connections (WebSockets included) on this process")
        .strongReference(true)
        .register(registry);
  }

  /**
   * The first handler of a router: times every request that reaches it, by the route that answered.
   */
  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ended -> record(ctx, start));
    ctx.next();
  }

  /** Counts {@code server}'s open connections; call before it listens. */
  public HttpServer countConnections(HttpServer server) {
    return server.connectionHandler(
        connection -> {
          connections.incrementAndGet();
          connection.closeHandler(closed -> connections.decrementAndGet());
        });
  }

  private void record(RoutingContext ctx, long start) {
    Route route = ctx.currentRoute();
    String pattern = route == null || route.getPath() == null ? UNMATCHED : route.getPath();
    Key key = new Key(pattern, ctx.request().method().name(), ctx.response().getStatusCode());
    timers
        .computeIfAbsent(key, this::timer)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  private Timer timer(Key key) {
    return Timer.builder(REQUESTS)
        .description("HTTP requests by route pattern, method and status, and their latency")
        .tags("route", key.route(), "method", key.method(), "code", Integer.toString(key.code()))
        .register(registry);
  }
}
