package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.auth.oidc.ProviderMetadata;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.config.OidcConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The page's sign-in with the provider ({@code VIZRELAY_AUTH=oidc}): the authorization-code flow
 * with PKCE (RFC 7636, S256), state and nonce.
 *
 * <ul>
 *   <li>{@code GET /auth/oidc/login?return=/path}: draws a state, a nonce and a code verifier,
 *       keeps them in a short-lived signed cookie {@value #FLOW_COOKIE} (HttpOnly, {@code
 *       SameSite=Lax} so that the provider's redirect back brings it, path {@code /auth/oidc}), and
 *       redirects to the provider's authorization endpoint with the S256 code challenge. Nothing is
 *       kept on the server, so the callback may land on any replica.
 *   <li>{@code GET /auth/oidc/callback?code&state}: the state must equal the cookie's (login CSRF),
 *       the code is exchanged at the token endpoint with the client secret and the verifier, the ID
 *       token is verified (the provider's keys, issuer, the client id as audience, expiry, and the
 *       nonce); then this server's session cookie is set as after any sign-in, and the browser goes
 *       back to {@code return} (a local path only).
 * </ul>
 *
 * Callbacks count against the sign-in limit per client address; each one is audited.
 */
final class OidcLogin {
  /** The cookie that carries one sign-in's state, nonce and code verifier. */
  static final String FLOW_COOKIE = "vizrelay_oidc";

  /** How long a sign-in at the provider may take. */
  static final int FLOW_SECONDS = 600;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final AuthConfig auth;
  private final OidcConfig oidc;
  private final ProviderSetup provider;
  private final Tokens tokens;
  private final RequestLimits limits;
  private final Sessions sessions;

  OidcLogin(
      AuthConfig auth,
      ProviderSetup provider,
      Tokens tokens,
      RequestLimits limits,
      Sessions sessions) {
    this.auth = auth;
    this.oidc = auth.oidc();
    this.provider = provider;
    this.tokens = tokens;
    this.limits = limits;
    this.sessions = sessions;
  }

  void mount(Router router) {
    router.get("/auth/oidc/login").handler(this::login);
    router.get("/auth/oidc/callback").handler(this::callback);
  }

  /** What the page shows: the provider's name and where its sign-in starts. */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", provider.metadata().issuer());
    m.put("login", "/auth/oidc/login");
    return m;
  }

  private void login(RoutingContext ctx) {
    String state = random();
    String nonce = random();
    String verifier = random();
    String back = localPath(ctx.request().getParam("return"));
    JsonObject flow =
        new JsonObject()
            .put("typ", "oidc-flow")
            .put("state", state)
            .put("nonce", nonce)
            .put("verifier", verifier)
            .put("return", back);
    ProviderMetadata meta = provider.metadata();
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", oidc.clientId());
    query.put("redirect_uri", redirectUri(ctx));
    query.put("scope", "openid profile email");
    query.put("state", state);
    query.put("nonce", nonce);
    query.put("code_challenge", s256(verifier));
    query.put("code_challenge_method", "S256");
    ctx.response()
        .addCookie(flowCookie(tokens.issueFlow(flow, FLOW_SECONDS)).setMaxAge(FLOW_SECONDS))
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.LOCATION, meta.authorizationEndpoint() + join(meta, query))
        .setStatusCode(302)
        .end();
  }

  private void callback(RoutingContext ctx) {
    limits
        .signInAttempt(ctx, null)
        .onSuccess(
            v -> {
              try {
                counted(ctx);
              } catch (RuntimeException e) {
                ctx.fail(e);
              }
            })
        .onFailure(ctx::fail);
  }

  /** The callback once the attempt was counted (and let through). */
  private void counted(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(FLOW_COOKIE);
    ctx.response().addCookie(flowCookie("").setMaxAge(0));
    String error = ctx.request().getParam("error");
    if (error != null) {
      sessions.failed(ctx, null, "provider answered " + error);
      throw new ApiException(ErrorCode.UNAUTHORIZED, "the provider refused the sign-in: " + error);
    }
    if (cookie == null || cookie.getValue().isEmpty()) {
      sessions.failed(ctx, null, "no sign-in under way");
      throw new ApiException(
          ErrorCode.INVALID_FIELD, "no sign-in under way (expired, or started in another browser)");
    }
    String code = ctx.request().getParam("code");
    String state = ctx.request().getParam("state");
    tokens
        .verifyFlow(cookie.getValue())
        .compose(
            flow -> {
              if (state == null || !state.equals(flow.getString("state")) || code == null) {
                return Future.failedFuture(
                    new ApiException(
                        ErrorCode.INVALID_FIELD,
                        "the sign-in's state does not match this browser"));
              }
              return exchange(ctx, code, flow.getString("verifier"))
                  .compose(idToken -> tokens.verifyIdToken(idToken))
                  .compose(claims -> principal(claims, flow.getString("nonce")))
                  .map(p -> signedIn(ctx, p, flow.getString("return")));
            })
        .onFailure(
            err -> {
              sessions.failed(ctx, null, err.getMessage());
              ctx.fail(
                  err instanceof ApiException
                      ? err
                      : new ApiException(ErrorCode.UNAUTHORIZED, "sign-in failed"));
            });
  }

  private Future<String> exchange(RoutingContext ctx, String code, String verifier) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri(ctx));
    form.put("code_verifier", verifier);
    form.put("client_id", oidc.clientId());
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (encode(oidc.clientId()) + ":" + encode(oidc.clientSecret()))
                        .getBytes(StandardCharsets.UTF_8));
    return provider
        .http()
        .postForm(provider.metadata().tokenEndpoint(), form, basic)
        .recover(
            err ->
                Future.failedFuture(
                    new ApiException(
                        ErrorCode.UNAUTHORIZED,
                        "the provider did not exchange the code: " + err.getMessage())))
        .compose(
            answer ->
                answer.getValue("id_token") instanceof String id
                    ? Future.succeededFuture(id)
                    : Future.failedFuture(
                        new ApiException(
                            ErrorCode.UNAUTHORIZED, "the provider answered no ID token")));
  }

  private Future<Principal> principal(JsonObject claims, String nonce) {
    if (nonce == null || !nonce.equals(claims.getValue("nonce"))) {
      return Future.failedFuture(
          new ApiException(ErrorCode.UNAUTHORIZED, "the ID token's nonce does not match"));
    }
    try {
      return Future.succeededFuture(new OidcClaims(oidc).principal(claims));
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
  }

  private Void signedIn(RoutingContext ctx, Principal p, String back) {
    sessions.signIn(ctx, p);
    ctx.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.LOCATION, localPath(back))
        .setStatusCode(302)
        .end();
    return null;
  }

  /** The configured redirect URI, or this server's callback under the request's {@code Host}. */
  private String redirectUri(RoutingContext ctx) {
    if (oidc.redirectUri() != null) {
      return oidc.redirectUri();
    }
    String host = RequestOrigin.hostHeader(ctx.request());
    return (auth.cookieSecure() ? "https" : "http") + "://" + host + "/auth/oidc/callback";
  }

  private Cookie flowCookie(String value) {
    return Cookie.cookie(FLOW_COOKIE, value)
        .setPath("/auth/oidc")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX)
        .setSecure(auth.cookieSecure());
  }

  /**
   * A path on this server ({@code /...}, not {@code //host} nor {@code /\host}), else {@code /}.
   */
  static String localPath(String path) {
    if (path == null
        || !path.startsWith("/")
        || path.startsWith("//")
        || path.startsWith("/\\")
        || path.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
      return "/";
    }
    return path;
  }

  private static String join(ProviderMetadata meta, Map<String, String> query) {
    StringBuilder sb = new StringBuilder(meta.authorizationEndpoint().contains("?") ? "&" : "?");
    query.forEach(
        (k, v) -> {
          if (sb.length() > 1) {
            sb.append('&');
          }
          sb.append(encode(k)).append('=').append(encode(v));
        });
    return sb.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
