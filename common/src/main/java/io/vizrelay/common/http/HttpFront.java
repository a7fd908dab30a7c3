package io.vizrelay.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.auth.RequestOrigin;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ErrorHandler;
import io.vizrelay.common.metrics.Metrics;

/**
 * The HTTP front end every vizrelay server shares (embedded and clustered): the one failure
 * handler, the security headers on every response, the {@code Host} check (DNS rebinding, auth
 * off), request metrics, {@code /health} and {@code /metrics}; then, once the services mounted
 * their routes, {@link HttpListeners#listen}: 404 for unknown paths, 405 for a known path with
 * another method and 400 for a path the router cannot decode (all through {@link ErrorHandler}),
 * and the server with its options (idle timeout included).
 */
public final class HttpFront {
  /**
   * The page's Content-Security-Policy: scripts and connections only from this server, no inline
   * script; inline styles stay allowed (Plotly writes them), images also as {@code data:}/{@code
   * blob:} (visdom image panes).
   */
  public static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self'; object-src 'none';"
          + " base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private HttpFront() {}

  private static final String HEALTHY = "{\"status\":\"UP\"}";

  /**
   * {@code {"status":"UP"}} as constant text: probes are frequent, and the first one should not
   * wait for a JSON mapper to be built (issue 13's start-up target).
   */
  private static void health(io.vertx.ext.web.RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(HEALTHY);
  }

  /** A router with the shared front steps; the services mount their routes on it. */
  public static Router router(Vertx vertx, VizConfig config, Metrics metrics) {
    Router router = Router.router(vertx);
    RequestOrigin origin = new RequestOrigin(config.auth());
    router.route().failureHandler(new ErrorHandler());
    router.route().handler(HttpFront::securityHeaders);
    router.route().handler(metrics.http());
    router.get("/health").handler(HttpFront::health);
    router
        .route()
        .handler(
            ctx -> {
              origin.checkHost(ctx.request());
              ctx.next();
            });
    router.get("/metrics").handler(metrics.scrapeHandler());
    return router;
  }

  // the headers of every response, encoded once (Vert.x writes an optimized header as is)
  private static final CharSequence NOSNIFF_NAME =
      HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence CSP_NAME =
      HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CSP_VALUE = HttpHeaders.createOptimized(CSP);
  private static final CharSequence REFERRER_NAME = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence SAME_ORIGIN = HttpHeaders.createOptimized("same-origin");

  /** Every response: no content sniffing, and the page's CSP (harmless on JSON). */
  private static void securityHeaders(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    response.putHeader(NOSNIFF_NAME, NOSNIFF);
    response.putHeader(CSP_NAME, CSP_VALUE);
    response.putHeader(REFERRER_NAME, SAME_ORIGIN);
    ctx.next();
  }

  /**
   * Statuses the router raises by itself, outside any route's failure handler: an unknown path, a
   * known path with another method, a path it cannot decode ({@code %zz}), a failing failure
   * handler.
   */
  static final int[] ROUTER_STATUSES = {400, 404, 405, 500};

  /**
   * The router's own errors through the error handler; {@link HttpListeners#listen} calls it before
   * the servers listen.
   */
  static void routerErrors(Router router) {
    ErrorHandler errors = new ErrorHandler();
    for (int status : ROUTER_STATUSES) {
      router.errorHandler(status, errors);
    }
  }
}
