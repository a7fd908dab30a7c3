package io.vizrelay.common.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The route-level auth steps every service inserts before its business handlers:
 * {@link #authenticate()} (credential to {@link Principal}, else 401), {@link #rateLimit()} (429 +
 * {@code Retry-After}), the checks {@link #requireWatch}/{@link #requireWrite} (403), the WebSocket
 * {@link #checkOrigin} and per-user connection count, and the sign-in endpoints. With
 * {@code VIZRELAY_AUTH=none} every request is {@link Principal#local} (admin) and only the origin
 * check applies.
 *
 * <p>Credentials, in order: {@code Authorization: Bearer <jwt>} or {@code Bearer vzk_...} (API key),
 * then the session cookie {@value #COOKIE} (set by {@code /auth/login} or visdom's login).
 */
public final class AuthGate {
  /** The session cookie: a JWT, HttpOnly, SameSite=Strict. */
  public static final String COOKIE = "vizrelay_session";
  /** Where the principal lives in the routing context. */
  public static final String PRINCIPAL_KEY = "vizrelay.principal";
  /** Largest sign-in body. */
  public static final long LOGIN_BODY_BYTES = 4096;
  /** Sign-in attempts per client address per second (bursts of twice that); beyond it 429. */
  public static final int LOGIN_ATTEMPTS_PER_SECOND = 5;

  private final VizConfig config;
  private final AuthConfig auth;
  private final Tokens tokens;
  private final UsersFile users;
  private final ApiKeys keys;
  private final RateLimiter limiter;
  private final RateLimiter loginLimiter = new RateLimiter(LOGIN_ATTEMPTS_PER_SECOND);
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();

  AuthGate(VizConfig config, Tokens tokens, UsersFile users, ApiKeys keys) {
    this.config = config;
    this.auth = config.auth();
    this.tokens = tokens;
    this.users = users;
    this.keys = keys;
    this.limiter = new RateLimiter(auth.ingestRatePerSecond());
  }

  /** Reads keys, users and API keys (off the event loop) and builds the gate. */
  public static Future<AuthGate> create(Vertx vertx, VizConfig config) {
    AuthConfig auth = config.auth();
    if (!auth.enabled()) {
      return Future.succeededFuture(new AuthGate(config, null, UsersFile.empty(), ApiKeys.empty()));
    }
    return vertx.executeBlocking(() -> new AuthGate(config, Tokens.create(vertx, auth),
        auth.usersFile() == null ? UsersFile.empty() : UsersFile.load(auth.usersFile()),
        auth.apiKeysFile() == null ? ApiKeys.empty() : ApiKeys.load(auth.apiKeysFile())));
  }

  public boolean enabled() {
    return auth.enabled();
  }

  /** The principal {@link #authenticate()} stored. */
  public static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL_KEY);
    if (p == null) {
      throw new ApiException(ErrorCode.UNAUTHORIZED);
    }
    return p;
  }

  /** Route step: authenticates or fails 401 (with {@code WWW-Authenticate}). */
  public Handler<RoutingContext> authenticate() {
    return ctx -> authenticate(ctx.request()).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(PRINCIPAL_KEY, ar.result());
        ctx.next();
      } else {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vizrelay\"");
        ctx.fail(ar.cause() instanceof ApiException ? ar.cause() : Tokens.unauthorized("invalid credentials"));
      }
    });
  }

  /** The principal of a request's credential, or a failed future (401). */
  public Future<Principal> authenticate(HttpServerRequest request) {
    if (!auth.enabled()) {
      return Future.succeededFuture(Principal.local(config.user()));
    }
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Future.failedFuture(Tokens.unauthorized("only Bearer credentials are accepted"));
      }
      String credential = header.substring(7).trim();
      if (credential.startsWith(ApiKeys.PREFIX)) {
        return keys.find(credential).map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(Tokens.unauthorized("unknown API key")));
      }
      return tokens.verify(credential);
    }
    Cookie cookie = request.getCookie(COOKIE);
    if (cookie != null && !cookie.getValue().isEmpty()) {
      return tokens.verify(cookie.getValue());
    }
    return Future.failedFuture(Tokens.unauthorized("authentication required"));
  }

  /** Route step after {@link #authenticate()}: the credential's ingest rate, else 429 + Retry-After. */
  public Handler<RoutingContext> rateLimit() {
    return ctx -> {
      if (!auth.enabled()) {
        ctx.next();
        return;
      }
      long wait = limiter.acquire(principal(ctx).credential(), System.nanoTime());
      if (wait == 0) {
        ctx.next();
        return;
      }
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
      ctx.fail(new ApiException(ErrorCode.TOO_MANY_REQUESTS,
          "more than " + auth.ingestRatePerSecond() + " requests per second from this credential"));
    };
  }

  /** 403 unless the principal may watch the task (owner by the task id convention, or admin). */
  public static void requireWatch(RoutingContext ctx, String taskId) {
    require(Authorizer.canWatch(principal(ctx), taskId), "you may not watch task " + taskId);
  }

  /** 403 unless the principal may write to the task. */
  public static void requireWrite(RoutingContext ctx, String taskId) {
    require(Authorizer.canWrite(principal(ctx), taskId), "you may not write to task " + taskId);
  }

  public static void require(boolean allowed, String message) {
    if (!allowed) {
      throw new ApiException(ErrorCode.FORBIDDEN, message);
    }
  }

  /**
   * 403 for a WebSocket handshake from a foreign page: an {@code Origin} that is neither this
   * server (same host and port as the {@code Host} header) nor in {@code VIZRELAY_ALLOWED_ORIGINS}.
   * No {@code Origin} (non-browser clients) passes: those need a credential anyway.
   */
  public void checkOrigin(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || auth.allowedOrigins().contains(origin)) {
      return;
    }
    String host = request.getHeader(HttpHeaders.HOST);
    String authority = null;
    try {
      URI uri = URI.create(origin);
      authority = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme()) ? uri.getRawAuthority() : null;
    } catch (IllegalArgumentException e) {
      authority = null;
    }
    require(authority != null && host != null && sameAuthority(authority, host, request.isSSL()),
        "WebSocket origin " + origin + " is not allowed");
  }

  private static boolean sameAuthority(String origin, String host, boolean ssl) {
    String defaultPort = ssl ? ":443" : ":80";
    String a = origin.toLowerCase();
    String b = host.toLowerCase();
    return a.equals(b) || a.equals(b + defaultPort) || b.equals(a + defaultPort);
  }

  /** Counts a browser socket of the principal; false when the user is at the limit. */
  public boolean acquireConnection(Principal p) {
    if (!auth.enabled()) {
      return true;
    }
    AtomicInteger n = connections.computeIfAbsent(p.userId(), u -> new AtomicInteger());
    if (n.incrementAndGet() > auth.maxConnectionsPerUser()) {
      n.decrementAndGet();
      return false;
    }
    return true;
  }

  public void releaseConnection(Principal p) {
    if (auth.enabled()) {
      AtomicInteger n = connections.get(p.userId());
      if (n != null) {
        n.decrementAndGet();
      }
    }
  }

  /**
   * The sign-in endpoints: {@code POST /auth/login {"username","password"}} (plain password; the
   * page's form) sets the session cookie; {@code POST /auth/logout} clears it; {@code GET /auth/me}
   * tells the page who it is (401 when nobody).
   */
  public void mountLogin(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(LOGIN_BODY_BYTES);
    router.post("/auth/login").handler(body).handler(ctx -> login(ctx, false));
    router.post("/auth/logout").handler(ctx -> {
      ctx.response().addCookie(cookie("").setMaxAge(0));
      ctx.response().setStatusCode(204).end();
    });
    router.get("/auth/me").handler(authenticate()).handler(ctx -> {
      Principal p = principal(ctx);
      ctx.json(Map.of("user_id", p.userId(), "roles", p.roles(), "auth", auth.mode().name().toLowerCase()));
    });
  }

  /**
   * visdom's login (PROTOCOL §6): {@code {"username","password": sha256hex(pw)}} sets the session
   * cookie; anything else answers 400, as visdom does.
   */
  public Handler<RoutingContext> visdomLogin() {
    return ctx -> login(ctx, true);
  }

  private void login(RoutingContext ctx, boolean visdom) {
    ErrorCode failure = visdom ? ErrorCode.INVALID_FIELD : ErrorCode.UNAUTHORIZED;
    if (!auth.enabled() || !tokens.canIssue()) {
      throw new ApiException(visdom ? ErrorCode.INVALID_FIELD : ErrorCode.NOT_FOUND, "sign-in is not enabled on this server");
    }
    long wait = loginLimiter.acquire("login:" + ctx.request().remoteAddress().host(), System.nanoTime());
    if (wait > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
      throw new ApiException(ErrorCode.TOO_MANY_REQUESTS, "too many sign-in attempts; try again later");
    }
    JsonNode body = Json.parse(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    String name = body.path("username").asText(null);
    String password = body.path("password").asText(null);
    if (name == null || password == null) {
      throw new ApiException(failure, "username and password are required");
    }
    String digest = visdom ? password : Passwords.sha256Hex(password);
    ctx.vertx().<Optional<UsersFile.User>>executeBlocking(() -> users.check(name, digest))
        .onSuccess(user -> {
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
    return Cookie.cookie(COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(auth.cookieSecure()).setMaxAge(auth.tokenTtl().toSeconds());
  }
}
