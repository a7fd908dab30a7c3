package io.vizrelay.common.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vizrelay.common.audit.AuditLog;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The sign-in endpoints: {@code POST /auth/login {"username","password"}} (plain password; the
 * page's form) sets the session cookie; {@code POST /auth/logout} ends it ({@link Sessions});
 * {@code GET /auth/me} tells the page who it is (401 when nobody); {@code GET /auth/config} tells
 * it how to sign in (the mode, and with {@code VIZRELAY_AUTH=oidc} the provider's sign-in, {@link
 * OidcLogin}); visdom's login ({@link #visdomLogin}); {@code DELETE /api/auth/api-keys/<id>}
 * (admins) revokes an API key on every replica ({@link Revocations}). Attempts are limited by
 * {@link RequestLimits}; a sign-in from a foreign page ({@code Origin}) is refused.
 */
record LoginEndpoints(
    AuthConfig auth,
    Tokens tokens,
    UsersFile users,
    RequestLimits limits,
    RequestOrigin origin,
    Sessions sessions,
    OidcLogin oidc,
    Revocations revocations) {

  void mount(Router router, Handler<RoutingContext> authenticate) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(AuthGate.LOGIN_BODY_BYTES);
    router.post("/auth/login").handler(body).handler(ctx -> login(ctx, false));
    router
        .post("/auth/logout")
        .handler(
            ctx -> {
              if (sessions == null || !auth.enabled()) {
                ctx.response().setStatusCode(204).end();
                return;
              }
              sessions.signOut(ctx);
            });
    router
        .get("/auth/me")
        .handler(authenticate)
        .handler(
            ctx -> {
              Principal p = AuthGate.principal(ctx);
              ctx.json(Map.of("user_id", p.userId(), "roles", p.roles(), "auth", mode()));
            });
    router.get("/auth/config").handler(ctx -> ctx.json(config()));
    if (oidc != null) {
      oidc.mount(router);
    }
    router.delete("/api/auth/api-keys/:id").handler(authenticate).handler(this::revokeKey);
  }

  private String mode() {
    return auth.mode().name().toLowerCase();
  }

  /** How the page signs in: the mode, the password form or not, the provider's sign-in. */
  private Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("auth", mode());
    m.put("password", auth.enabled() && tokens != null && tokens.canIssue() && !users.isEmpty());
    if (oidc != null) {
      m.put("oidc", oidc.describe());
    }
    return m;
  }

  /** Admins: revokes the API key with this id (12 hex digits) on every replica; 204. */
  private void revokeKey(RoutingContext ctx) {
    Principal p = AuthGate.principal(ctx);
    String id = ctx.pathParam("id");
    String source = limits.clientAddress(ctx.request());
    if (!p.admin() || p.scoped()) {
      AuditLog.record(
          AuditLog.Event.API_KEY_REVOKE, AuditLog.Outcome.DENIED, p.userId(), null, source, id);
      throw new ApiException(ErrorCode.FORBIDDEN, "only admins revoke API keys");
    }
    if (!Revocations.isKeyId(id)) {
      throw new ApiException(
          ErrorCode.INVALID_FIELD, "an API key id is 12 hex digits (UsersCli apikey id <key>)");
    }
    revocations
        .revokeKey(id)
        .onSuccess(
            v -> {
              AuditLog.record(
                  AuditLog.Event.API_KEY_REVOKE,
                  AuditLog.Outcome.SUCCESS,
                  p.userId(),
                  null,
                  source,
                  id);
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }

  /**
   * visdom's login: {@code {"username","password": sha256hex(pw)}} sets the session cookie;
   * anything else answers 400, as visdom does.
   */
  Handler<RoutingContext> visdomLogin() {
    return ctx -> login(ctx, true);
  }

  private void login(RoutingContext ctx, boolean visdom) {
    if (!auth.enabled() || tokens == null || !tokens.canIssue()) {
      throw new ApiException(
          visdom ? ErrorCode.INVALID_FIELD : ErrorCode.NOT_FOUND,
          "sign-in is not enabled on this server");
    }
    origin.checkSignIn(ctx.request());
    JsonNode body =
        Json.parse(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    String name = body.path("username").isTextual() ? body.path("username").asText() : null;
    String password = body.path("password").isTextual() ? body.path("password").asText() : null;
    limits
        .signInAttempt(ctx, name)
        .onSuccess(v -> checkPassword(ctx, visdom, name, password))
        .onFailure(
            limited -> {
              sessions.failed(ctx, name, "too many attempts");
              ctx.fail(limited);
            });
  }

  /** After the attempt was counted: the password against the users file (off the event loop). */
  private void checkPassword(RoutingContext ctx, boolean visdom, String name, String password) {
    ErrorCode failure = visdom ? ErrorCode.INVALID_FIELD : ErrorCode.UNAUTHORIZED;
    if (name == null || password == null) {
      ctx.fail(new ApiException(failure, "username and password are required"));
      return;
    }
    String digest = visdom ? password : Passwords.sha256Hex(password);
    ctx.vertx()
        .<Optional<UsersFile.User>>executeBlocking(() -> users.check(name, digest))
        .onSuccess(
            user -> {
              if (user.isEmpty()) {
                sessions.failed(ctx, name, visdom ? "visdom login" : "password");
                ctx.fail(new ApiException(failure, "wrong user name or password"));
                return;
              }
              UsersFile.User u = user.get();
              sessions.signIn(
                  ctx, new Principal(u.name(), u.roles(), null, null, "user:" + u.name()));
              ctx.json(Map.of("user_id", u.name(), "roles", u.roles()));
            })
        .onFailure(ctx::fail);
  }
}
