package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.util.regex.Pattern;

/**
 * The request-rate limits: the ingest rate per credential, and the sign-in attempts per client
 * address and per account (both count every attempt, right or wrong; the account limit holds when
 * many addresses guess one password, the address limit when one address tries many accounts),
 * counted in {@link RateBuckets} (cluster-wide in a cluster, per process otherwise). The client
 * address is the TCP peer, or the last address a trusted proxy ({@code VIZRELAY_TRUSTED_PROXIES})
 * put in {@code X-Forwarded-For}.
 */
final class RequestLimits {
  /** A forwarded hop's address characters, checked per request behind a proxy: compiled once. */
  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]+");

  /** Sign-in attempts per client address per second (bursts of twice that); beyond it 429. */
  static final int LOGIN_ATTEMPTS_PER_SECOND = 5;

  /**
   * Sign-in attempts per account: bursts of this many, then one every {@link
   * #ACCOUNT_REFILL_SECONDS}.
   */
  static final int ACCOUNT_ATTEMPTS_BURST = 10;

  static final int ACCOUNT_REFILL_SECONDS = 6;

  static final RateBuckets.Limit LOGIN_BY_ADDRESS =
      new RateBuckets.Limit(
          RateBuckets.LOGIN_ADDRESS, LOGIN_ATTEMPTS_PER_SECOND, 2.0 * LOGIN_ATTEMPTS_PER_SECOND);

  static final RateBuckets.Limit LOGIN_BY_ACCOUNT =
      new RateBuckets.Limit(
          RateBuckets.LOGIN_ACCOUNT, 1.0 / ACCOUNT_REFILL_SECONDS, ACCOUNT_ATTEMPTS_BURST);

  private final AuthConfig auth;
  private final RateBuckets buckets;
  private final RateBuckets.Limit ingest;

  RequestLimits(AuthConfig auth, RateBuckets buckets) {
    this.auth = auth;
    this.buckets = buckets;
    this.ingest =
        new RateBuckets.Limit(
            RateBuckets.INGEST, auth.ingestRatePerSecond(), 2.0 * auth.ingestRatePerSecond());
  }

  /**
   * Route step after authentication, before the body: the credential's ingest rate, else 429 +
   * Retry-After.
   */
  SecurityPolicyHandler ingestRate() {
    return ctx -> {
      if (!auth.enabled()) {
        ctx.next();
        return;
      }
      // a body stays paused (Authenticator) until the body handler after this step
      buckets
          .take(ingest, AuthGate.principal(ctx).credential())
          .onSuccess(
              wait -> {
                if (wait == 0) {
                  ctx.next();
                  return;
                }
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
                ctx.fail(
                    new ApiException(
                        ErrorCode.TOO_MANY_REQUESTS,
                        "more than "
                            + auth.ingestRatePerSecond()
                            + " requests per second from this credential"));
              })
          .onFailure(ctx::fail);
    };
  }

  /**
   * Counts one sign-in attempt for {@code account} (null: none named) from the request's client;
   * fails with 429 (and sets {@code Retry-After}) beyond either limit. The account is counted only
   * when the address was let through.
   */
  Future<Void> signInAttempt(RoutingContext ctx, String account) {
    return buckets
        .take(LOGIN_BY_ADDRESS, clientAddress(ctx.request()))
        .compose(
            wait ->
                wait > 0 || account == null
                    ? Future.succeededFuture(wait)
                    : buckets.take(LOGIN_BY_ACCOUNT, account))
        .compose(
            wait -> {
              if (wait == 0) {
                return Future.succeededFuture();
              }
              ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
              return Future.failedFuture(
                  new ApiException(
                      ErrorCode.TOO_MANY_REQUESTS, "too many sign-in attempts; try again later"));
            });
  }

  /**
   * The client's address: the peer, or, when the peer is a trusted proxy, the nearest {@code
   * X-Forwarded-For} hop that is not a trusted proxy itself (read from the right: each proxy
   * appends the address it saw, so hops left of the first untrusted one are the client's own
   * claims). A malformed hop counts as the proxy that passed it on.
   */
  String clientAddress(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().host();
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded == null || !auth.trustedProxies().contains(peer)) {
      return peer;
    }
    String client = peer;
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!looksLikeAddress(hop)) {
        return client;
      }
      client = hop;
      if (!auth.trustedProxies().contains(hop)) {
        return hop;
      }
    }
    return client;
  }

  /** An IPv4 or IPv6 literal's characters and length (what a proxy writes), nothing else. */
  static boolean looksLikeAddress(String hop) {
    return !hop.isEmpty() && hop.length() <= 45 && ADDRESS.matcher(hop).matches();
  }
}
