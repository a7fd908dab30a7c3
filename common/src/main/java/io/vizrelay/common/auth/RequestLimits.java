package io.vizrelay.common.auth;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;

/**
 * The request-rate limits of one process: the ingest rate per credential, and the sign-in attempts
 * per client address and per account (both count every attempt, right or wrong; the account limit
 * holds when many addresses guess one password, the address limit when one address tries many
 * accounts). The client address is the TCP peer, or the last address a trusted proxy ({@code
 * VIZRELAY_TRUSTED_PROXIES}) put in {@code X-Forwarded-For}.
 */
final class RequestLimits {
  /** Sign-in attempts per client address per second (bursts of twice that); beyond it 429. */
  static final int LOGIN_ATTEMPTS_PER_SECOND = 5;

  /**
   * Sign-in attempts per account: bursts of this many, then one every {@link
   * #ACCOUNT_REFILL_SECONDS}.
   */
  static final int ACCOUNT_ATTEMPTS_BURST = 10;

  static final int ACCOUNT_REFILL_SECONDS = 6;

  private final AuthConfig auth;
  private final IngestRate ingest;
  private final RateLimiter loginByAddress = new RateLimiter(LOGIN_ATTEMPTS_PER_SECOND);
  private final RateLimiter loginByAccount =
      new RateLimiter(1.0 / ACCOUNT_REFILL_SECONDS, ACCOUNT_ATTEMPTS_BURST);

  RequestLimits(AuthConfig auth, IngestRate ingest) {
    this.auth = auth;
    this.ingest = ingest;
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
      ingest
          .acquire(AuthGate.principal(ctx).credential())
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
   * Counts one sign-in attempt for {@code account} from the request's client; 429 beyond either
   * limit.
   */
  void signInAttempt(RoutingContext ctx, String account) {
    long now = System.nanoTime();
    long wait = loginByAddress.acquire(clientAddress(ctx.request()), now);
    if (wait == 0 && account != null) {
      wait = loginByAccount.acquire(account, now);
    }
    if (wait > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
      throw new ApiException(
          ErrorCode.TOO_MANY_REQUESTS, "too many sign-in attempts; try again later");
    }
  }

  /**
   * The client's address: the peer, or (from a trusted proxy) the last {@code X-Forwarded-For}
   * entry.
   */
  String clientAddress(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().host();
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded == null || !auth.trustedProxies().contains(peer)) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    String last = hops[hops.length - 1].trim();
    return last.isEmpty() ? peer : last;
  }
}
