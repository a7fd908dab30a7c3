package io.vizrelay.common.error;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vizrelay.common.http.Compression;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.metrics.Metrics;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: renders {@code {"error":{"code":...,"message":...}}} for every failed
 * route, never a stack trace. Unexpected exceptions become 500 INTERNAL and are logged. Each is
 * counted in {@code vizrelay_errors_total{code}}.
 */
public final class ErrorHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    ApiException error = toApiException(ctx);
    Metrics.of(ctx.vertx()).error(error.code());
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (!ctx.request().isEnded()) {
      // refused before its body was read (auth, rate, size): the rest is not wanted, and the
      // connection cannot carry another request behind it
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    send(response, error);
  }

  /** Writes the error JSON with its status. */
  public static void send(HttpServerResponse response, ApiException error) {
    if (error.status() == 503) {
      // the grid or its PostgreSQL is briefly away: clients retry after a second
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    String body = body(error);
    Compression.skipIfSmall(response, body.length())
        .setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body);
  }

  public static String body(ApiException error) {
    return Json.string(
        Map.of("error", Map.of("code", error.code().name(), "message", error.getMessage())));
  }

  private static ApiException toApiException(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof HttpException http) {
      ErrorCode code = ErrorCode.forStatus(http.getStatusCode());
      return new ApiException(
          code, http.getPayload() != null ? http.getPayload() : code.defaultMessage());
    }
    if (failure == null || ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      // raised by the router itself (no route, another method, an undecodable path): the failure,
      // if any, is its internal reason, not the client's business
      return new ApiException(ErrorCode.forStatus(ctx.statusCode()));
    }
    LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    return new ApiException(ErrorCode.INTERNAL);
  }
}
