package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's auth: one instance per Vert.x ({@link #forProcess}), shared by every service of the
 * process, so keys, users, rate limits and connection counts exist once. It wires the parts, each
 * with one job: {@link Authenticator} (credential to {@link Principal}, 401), {@link RequestLimits}
 * (ingest rate, sign-in attempts, 429; counted by {@link RateBuckets}), {@link RequestOrigin}
 * (WebSocket origin, CSRF, Host), {@link ConnectionCounts} (sockets per user) and {@link
 * LoginEndpoints} (sign-in). In a cluster the rates and the socket counts are the cluster's (grid
 * maps), else this process's. The checks {@link #requireWatch}/{@link #requireWrite} (403) apply
 * {@link Authorizer}.
 */
public final class AuthGate {
  /** The session cookie: a JWT, HttpOnly, SameSite=Strict. */
  public static final String COOKIE = "vizrelay_session";

  /** Where the principal lives in the routing context. */
  public static final String PRINCIPAL_KEY = "vizrelay.principal";

  /** Largest sign-in body. */
  public static final long LOGIN_BODY_BYTES = 4096;

  private static final String SHARED_MAP = "vizrelay.auth";

  private final AuthConfig auth;
  private final RequestOrigin origin;
  private final Authenticator authenticator;
  private final RequestLimits limits;
  private final LoginEndpoints login;
  private final ConnectionCounts browserSockets;
  private final ConnectionCounts jobSockets;

  AuthGate(
      Vertx vertx,
      VizConfig config,
      Tokens tokens,
      UsersFile users,
      java.util.function.Supplier<ApiKeys> keys,
      ProviderSetup provider,
      Revocations revocations) {
    this.auth = config.auth();
    this.origin = new RequestOrigin(auth);
    this.authenticator = new Authenticator(auth, config.user(), tokens, keys, origin, revocations);
    this.limits = new RequestLimits(auth, RateBuckets.of(vertx));
    Sessions sessions = new Sessions(auth, tokens, limits, revocations);
    OidcLogin oidc =
        provider != null && provider.metadata() != null
            ? new OidcLogin(auth, provider, tokens, limits, sessions)
            : null;
    this.login =
        new LoginEndpoints(auth, tokens, users, limits, origin, sessions, oidc, revocations);
    ConnectionGrid grid = auth.enabled() ? ConnectionGrid.of(vertx) : null;
    this.browserSockets =
        new ConnectionCounts(
            ConnectionCounts.Kind.BROWSER, auth.enabled(), auth.maxConnectionsPerUser(), grid);
    this.jobSockets =
        new ConnectionCounts(
            ConnectionCounts.Kind.JOB, auth.enabled(), auth.maxConnectionsPerUser(), grid);
  }

  /**
   * The gates already built on one Vert.x, by configuration (a {@link Shareable} so a local map may
   * hold it).
   */
  private static final class Gates implements Shareable {
    final Map<VizConfig, Future<AuthGate>> byConfig = new ConcurrentHashMap<>();
  }

  /**
   * The one gate of this process (this Vert.x) for {@code config}: built on the first call, the
   * same future for every later one, so the services of the embedded app share keys, limits and
   * counts.
   */
  public static Future<AuthGate> forProcess(Vertx vertx, VizConfig config) {
    LocalMap<String, Gates> map = vertx.sharedData().getLocalMap(SHARED_MAP);
    Gates gates = map.computeIfAbsent("gates", k -> new Gates());
    return gates.byConfig.computeIfAbsent(config, c -> create(vertx, c));
  }

  /**
   * Reads keys, users and API keys (off the event loop), fetches a provider's discovery document
   * and keys ({@link ProviderSetup}; unreachable: the start fails) and builds a gate.
   */
  static Future<AuthGate> create(Vertx vertx, VizConfig config) {
    AuthConfig auth = config.auth();
    if (!auth.enabled()) {
      return Future.succeededFuture(
          new AuthGate(vertx, config, null, UsersFile.empty(), ApiKeys::empty, null, null));
    }
    return ProviderSetup.start(vertx, auth)
        .compose(
            provider ->
                Revocations.start(vertx, config.dataDir())
                    .compose(
                        revocations ->
                            vertx.executeBlocking(
                                () -> {
                                  Tokens tokens = Tokens.create(vertx, auth);
                                  return new AuthGate(
                                      vertx,
                                      config,
                                      provider == null
                                          ? tokens
                                          : tokens.withRemote(provider.tokens()),
                                      auth.usersFile() == null
                                          ? UsersFile.empty()
                                          : UsersFile.load(auth.usersFile()),
                                      auth.apiKeysFile() == null
                                          ? ApiKeys::empty
                                          : KeyFileWatch.start(vertx, auth.apiKeysFile()),
                                      provider,
                                      revocations);
                                })));
  }

  /** The client's address (the peer, or the address a trusted proxy forwarded), for audit lines. */
  public String clientAddress(HttpServerRequest request) {
    return limits.clientAddress(request);
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

  /**
   * Route step, before any body handler: authenticates, and refuses a cross-site request that
   * relies on an ambient credential (401/403/415). See {@link Authenticator}, {@link
   * RequestOrigin}.
   */
  public Handler<RoutingContext> authenticate() {
    return authenticator.handler();
  }

  /** The principal of a request's credential, or a failed future (401). */
  public Future<Principal> authenticate(HttpServerRequest request) {
    return authenticator.authenticate(request);
  }

  /**
   * Route step after {@link #authenticate()}: the credential's ingest rate, else 429 + Retry-After.
   */
  public Handler<RoutingContext> rateLimit() {
    return limits.ingestRate();
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

  /** 403 for a WebSocket handshake from a foreign page ({@link RequestOrigin#checkWebSocket}). */
  public void checkOrigin(HttpServerRequest request) {
    origin.checkWebSocket(request);
  }

  /** Route step before {@link #authenticate()} of a WebSocket route: {@link #checkOrigin}. */
  public Handler<RoutingContext> webSocketOrigin() {
    SecurityPolicyHandler step =
        ctx -> {
          origin.checkWebSocket(ctx.request());
          ctx.next();
        };
    return step;
  }

  /**
   * The origin and host checks (the HTTP front end runs {@link RequestOrigin#checkHost} on every
   * request).
   */
  public RequestOrigin origin() {
    return origin;
  }

  /** Browser sockets ({@code /socket}) per user. */
  public ConnectionCounts browserSockets() {
    return browserSockets;
  }

  /** Python clients' sockets ({@code /vis_socket}) per user. */
  public ConnectionCounts jobSockets() {
    return jobSockets;
  }

  /**
   * {@code /auth/login}, {@code /auth/logout}, {@code /auth/me}, {@code /auth/config}, the code
   * flow and the API-key revocation ({@link LoginEndpoints}).
   */
  public void mountLogin(Router router) {
    login.mount(router, authenticate());
  }

  /** visdom's login ({@link LoginEndpoints#visdomLogin}). */
  public Handler<RoutingContext> visdomLogin() {
    return login.visdomLogin();
  }
}
