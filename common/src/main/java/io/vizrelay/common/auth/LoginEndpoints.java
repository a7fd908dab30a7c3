package io.vizrelay.common.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.util.Map;
import java.util.Optional;

/**
 * The sign-in endpoints: {@code POST /auth/login {"username","password"}} (plain password; the
 * page's form) sets the session cookie; {@code POST /auth/logout} clears it; {@code GET /auth/me}
 * tells the page who it is (401 when nobody); visdom's login ({@link #visdomLogin}). Attempts are
 * limited by {@link RequestLimits}; a sign-in from a foreign page ({@code Origin}) is refused.
 */
final class LoginEndpoints {
  private final AuthConfig auth;
  private final Tokens tokens;
  private final UsersFile users;
  private final RequestLimits limits;
  private final RequestOrigin origin;

  LoginEndpoints(
      AuthConfig auth, Tokens tokens, UsersFile users, RequestLimits limits, RequestOrigin origin) {
    this.auth = auth;
    this.tokens = tokens;
    this.users = users;
    this.limits = limits;
    this.origin = origin;
  }

  void mount(Router router, Handler<RoutingContext> authenticate) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(AuthGate.LOGIN_BODY_BYTES);
    router.post("/auth/login").handler(body).handler(ctx -> login(ctx, false));
    router
        .post("/auth/logout")
        .handler(
            ctx -> {
              ctx.response().addCookie(cookie("").setMaxAge(0));
              ctx.response().setStatusCode(204).end();
            });
    router
        .get("/auth/me")
        .handler(authenticate)
        .handler(
            ctx -> {
              Principal p = AuthGate.principal(ctx);
              ctx.json(
                  Map.of(
                      "user_id",
                      p.userId(),
                      "roles",
                      p.roles(),
                      "auth",
                      auth.mode().name().toLowerCase()));
            });
  }

  /**
   * visdom's login: {@code {"username","password": sha256hex(pw)}} sets the session cookie;
   * anything else answers 400, as visdom does.
   */
  Handler<RoutingContext> visdomLogin() {
    return ctx -> login(ctx, true);
  }

  private void login(RoutingContext ctx, boolean visdom) {
    ErrorCode failure = visdom ? ErrorCode.INVALID_FIELD : ErrorCode.UNAUTHORIZED;
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
    limits.signInAttempt(ctx, name == null ? null : "account:" + name);
    if (name == null || password == null) {
      throw new ApiException(failure, "username and password are required");
    }
    String digest = visdom ? password : Passwords.sha256Hex(password);
    ctx.vertx()
        .<Optional<UsersFile.User>>executeBlocking(() -> users.check(name, digest))
        .onSuccess(
            user -> {
              if (user.isEmpty()) {
                ctx.fail(new ApiException(failure, "wrong user name or password"));
                return;
              }
              ctx.response().addCookie(cookie(tokens.issue(user.get().name(), user.get().roles())));
              ctx.json(Map.of("user_id", user.get().name(), "roles", user.get().roles()));
            })
        .onFailure(ctx::fail);
  }

  private Cookie cookie(String value) {
    return Cookie.cookie(AuthGate.COOKIE, value)
        .setPath("/")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT)
        .setSecure(auth.cookieSecure())
        .setMaxAge(auth.tokenTtl().toSeconds());
  }
}
