package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;

/**
 * Authentication only: a request's credential to its {@link Principal}, else 401. Credentials, in
 * order: {@code Authorization: Bearer <jwt>} or {@code Bearer vzk_...} (API key), then the session
 * cookie {@value AuthGate#COOKIE}. With {@code VIZRELAY_AUTH=none} every request is {@link
 * Principal#local}.
 *
 * <p>The route step runs <em>before</em> any body handler: the request is paused while the
 * credential is checked, so a body is read only for an authenticated caller; a refused upload gets
 * its 401 at once and its connection is closed ({@code Connection: close}) without reading the
 * rest.
 */
record Authenticator(
    AuthConfig auth,
    String localUser,
    Tokens tokens,
    java.util.function.Supplier<ApiKeys> keys,
    RequestOrigin origin,
    Revocations revocations) {

  /**
   * Route step: authenticates (and checks a cookie request's origin) or fails 401/403. A {@link
   * SecurityPolicyHandler} so that Vert.x lets it run before a body handler.
   */
  SecurityPolicyHandler handler() {
    return ctx -> {
      HttpServerRequest request = ctx.request();
      boolean body = hasBody(request.method());
      if (body) {
        request.pause(); // resumed by the body handler that follows, once the caller is known
      }
      Future<Principal> principal;
      try {
        origin.checkAmbient(request, usesAmbientCredential(request));
        principal = authenticate(request);
      } catch (ApiException e) {
        principal = Future.failedFuture(e);
      }
      principal.onComplete(
          ar -> {
            if (ar.succeeded()) {
              ctx.put(AuthGate.PRINCIPAL_KEY, ar.result());
              ctx.next();
              return;
            }
            if (body && !request.isEnded()) {
              ctx.response()
                  .putHeader(HttpHeaders.CONNECTION, "close"); // the unread body is not wanted
            }
            ApiException error =
                ar.cause() instanceof ApiException api
                    ? api
                    : Tokens.unauthorized("invalid credentials");
            if (error.status() == 401) {
              ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vizrelay\"");
            }
            ctx.fail(error);
          });
    };
  }

  private static boolean hasBody(HttpMethod method) {
    return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
  }

  /**
   * True when the browser adds the credential by itself (so a foreign page could make it send it):
   * the session cookie without an {@code Authorization} header, or no credential at all when auth
   * is off (the network position is the credential).
   */
  boolean usesAmbientCredential(HttpServerRequest request) {
    if (!auth.enabled()) {
      return true;
    }
    return request.getHeader(HttpHeaders.AUTHORIZATION) == null
        && request.getCookie(AuthGate.COOKIE) != null;
  }

  /** The principal of a request's credential, or a failed future (401). */
  Future<Principal> authenticate(HttpServerRequest request) {
    if (!auth.enabled()) {
      return Future.succeededFuture(Principal.local(localUser));
    }
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Future.failedFuture(Tokens.unauthorized("only Bearer credentials are accepted"));
      }
      String credential = header.substring(7).trim();
      if (credential.startsWith(ApiKeys.PREFIX)) {
        return keys.get()
            .find(credential)
            .filter(p -> !revocations.keyRevoked(p.credential()))
            .map(Future::succeededFuture)
            .orElseGet(
                () -> Future.failedFuture(Tokens.unauthorized("unknown or revoked API key")));
      }
      if (revocations.sessionRevoked(credential)) {
        return Future.failedFuture(Tokens.unauthorized("this session was signed out"));
      }
      return tokens.verifyBearer(credential);
    }
    Cookie cookie = request.getCookie(AuthGate.COOKIE);
    if (cookie != null && !cookie.getValue().isEmpty()) {
      if (revocations.sessionRevoked(cookie.getValue())) {
        return Future.failedFuture(Tokens.unauthorized("this session was signed out"));
      }
      return tokens.verifySession(cookie.getValue());
    }
    return Future.failedFuture(Tokens.unauthorized("authentication required"));
  }
}
