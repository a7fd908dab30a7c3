package io.vizrelay.common.auth;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.audit.AuditLog;
import io.vizrelay.common.config.AuthConfig;

/**
 * This server's sessions: the cookie {@value AuthGate#COOKIE} set at a sign-in (the page's form,
 * visdom's login, the provider's code flow) and ended at sign-out; every sign-in, failed sign-in
 * and sign-out is audited ({@link AuditLog}) with the client address.
 */
final class Sessions {
  private final AuthConfig auth;
  private final Tokens tokens;
  private final RequestLimits limits;
  private final Revocations revocations;

  Sessions(AuthConfig auth, Tokens tokens, RequestLimits limits, Revocations revocations) {
    this.auth = auth;
    this.tokens = tokens;
    this.limits = limits;
    this.revocations = revocations;
  }

  /** Sets the session cookie of {@code p} and audits the sign-in. */
  void signIn(RoutingContext ctx, Principal p) {
    ctx.response().addCookie(cookie(tokens.issue(p.userId(), p.roles())));
    AuditLog.record(
        AuditLog.Event.SIGN_IN,
        AuditLog.Outcome.SUCCESS,
        p.userId(),
        null,
        limits.clientAddress(ctx.request()),
        auth.mode().name().toLowerCase());
  }

  /** Audits a failed sign-in of {@code user} (null when unknown). */
  void failed(RoutingContext ctx, String user, String detail) {
    AuditLog.record(
        AuditLog.Event.SIGN_IN,
        AuditLog.Outcome.FAILURE,
        user,
        null,
        limits.clientAddress(ctx.request()),
        detail);
  }

  /**
   * Ends the request's session: the cookie's token is revoked on every replica ({@link
   * Revocations}) until it expires, and the cookie is cleared.
   */
  void signOut(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(AuthGate.COOKIE);
    ctx.response().addCookie(cookie("").setMaxAge(0));
    if (cookie == null || cookie.getValue().isEmpty() || tokens == null) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    String token = cookie.getValue();
    tokens
        .verifySession(token)
        .compose(p -> revocations.revokeSession(token, Tokens.expiry(token)).map(p))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                AuditLog.record(
                    AuditLog.Event.SIGN_OUT,
                    AuditLog.Outcome.SUCCESS,
                    ar.result().userId(),
                    null,
                    limits.clientAddress(ctx.request()),
                    null);
              }
              ctx.response().setStatusCode(204).end();
            });
  }

  Cookie cookie(String value) {
    return Cookie.cookie(AuthGate.COOKIE, value)
        .setPath("/")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT)
        .setSecure(auth.cookieSecure())
        .setMaxAge(auth.tokenTtl().toSeconds());
  }
}
