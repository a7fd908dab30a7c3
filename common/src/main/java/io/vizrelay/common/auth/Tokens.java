package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vizrelay.common.auth.oidc.RemoteTokens;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * JWT verification (platform tokens: HS256 shared secret, RS256 public key or JWKS) and issuance
 * (the built-in sign-in and visdom's login, HS256 with the shared secret), through vertx-auth-jwt.
 * A token must carry {@code sub} (a valid user name) and {@code exp}; {@code alg:none} and
 * algorithms without a configured key are rejected by the library. Claims used: {@code roles}
 * (array), optional {@code project} / {@code task} scope.
 */
public final class Tokens {
  /** Clock skew tolerated on {@code exp}/{@code nbf}, seconds. */
  public static final int LEEWAY_SECONDS = 5;

  private final AuthConfig config;
  private final JWTAuth verifier;
  private final JWTAuth issuer;
  private final RemoteTokens remote;

  private Tokens(AuthConfig config, JWTAuth verifier, JWTAuth issuer, RemoteTokens remote) {
    this.config = config;
    this.verifier = verifier;
    this.issuer = issuer;
    this.remote = remote;
  }

  /**
   * These tokens plus a provider's, verified against its fetched keys ({@code VIZRELAY_AUTH=oidc},
   * or {@code VIZRELAY_JWT_JWKS_URL}).
   */
  public Tokens withRemote(RemoteTokens remote) {
    return new Tokens(config, verifier, issuer, remote);
  }

  /** The provider's tokens, or null. */
  public RemoteTokens remote() {
    return remote;
  }

  /** Builds the verifier from the configured keys (reads key files: blocking). */
  public static Tokens create(Vertx vertx, AuthConfig config) throws IOException {
    JWTOptions jwt = new JWTOptions().setLeeway(LEEWAY_SECONDS);
    if (config.issuer() != null) {
      jwt.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      jwt.setAudience(List.of(config.audience()));
    }
    JWTAuthOptions verify = new JWTAuthOptions().setJWTOptions(jwt);
    JWTAuth issuer = null;
    if (config.hs256Secret() != null) {
      PubSecKeyOptions hs =
          new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.hs256Secret());
      verify.addPubSecKey(hs);
      issuer =
          JWTAuth.create(
              vertx, new JWTAuthOptions().addPubSecKey(hs).setJWTOptions(new JWTOptions(jwt)));
    }
    if (config.publicKeyFile() != null && !config.oidcMode()) {
      verify.addPubSecKey(
          new PubSecKeyOptions()
              .setAlgorithm("RS256")
              .setBuffer(Files.readString(config.publicKeyFile(), StandardCharsets.UTF_8)));
    }
    if (config.jwksFile() != null && !config.oidcMode()) {
      JsonObject jwks = new JsonObject(Files.readString(config.jwksFile(), StandardCharsets.UTF_8));
      List<JsonObject> keys =
          jwks.getJsonArray("keys", new JsonArray()).stream().map(JsonObject.class::cast).toList();
      verify.setJwks(keys);
    }
    boolean anyKey =
        config.hs256Secret() != null
            || (!config.oidcMode()
                && (config.publicKeyFile() != null || config.jwksFile() != null));
    return new Tokens(config, anyKey ? JWTAuth.create(vertx, verify) : null, issuer, null);
  }

  /**
   * The principal of an {@code Authorization: Bearer} JWT, or a failed future with 401. With {@code
   * VIZRELAY_AUTH=oidc}, only the provider's tokens (its keys, issuer and audience; the user from
   * {@code VIZRELAY_OIDC_USER_CLAIM}). With {@code jwt}, a token with an asymmetric algorithm is
   * tried against the fetched JWKS ({@code VIZRELAY_JWT_JWKS_URL}) first, then the configured keys.
   */
  public Future<Principal> verifyBearer(String token) {
    if (config.oidcMode()) {
      return remote
          .verify(token, config.oidc().audience())
          .recover(err -> Future.failedFuture(unauthorized(reason(err))))
          .map(claims -> new OidcClaims(config.oidc()).principal(claims));
    }
    if (remote != null && !isHmac(token)) {
      Future<Principal> fetched =
          remote
              .verify(token, config.audience())
              .recover(err -> Future.failedFuture(unauthorized(reason(err))))
              .compose(this::toPrincipal);
      return verifier == null ? fetched : fetched.recover(err -> verifySession(token));
    }
    return verifySession(token);
  }

  /** A provider's ID token (the sign-in's code flow): its keys, issuer, and the client id. */
  public Future<JsonObject> verifyIdToken(String token) {
    return remote
        .verify(token, config.oidc().clientId())
        .recover(err -> Future.failedFuture(unauthorized(reason(err))));
  }

  private static String reason(Throwable err) {
    return err instanceof RemoteTokens.InvalidToken
        ? "invalid token: " + err.getMessage()
        : "invalid token";
  }

  private static boolean isHmac(String token) {
    try {
      return RemoteTokens.Header.of(token).alg().startsWith("HS");
    } catch (RemoteTokens.InvalidToken e) {
      return false;
    }
  }

  /**
   * The principal of this server's session cookie (or, with {@code VIZRELAY_AUTH=jwt}, any token of
   * the configured keys), or a failed future with 401.
   */
  public Future<Principal> verifySession(String token) {
    if (verifier == null) {
      return Future.failedFuture(unauthorized("tokens are not accepted by this server"));
    }
    Future<io.vertx.ext.auth.User> verified;
    try {
      verified = verifier.authenticate(new TokenCredentials(token));
    } catch (
        RuntimeException
            malformed) { // e.g. a signed token whose "exp" is a string: the library throws
      verified = Future.failedFuture(malformed);
    }
    return verified
        .recover(err -> Future.failedFuture(unauthorized("invalid token")))
        .compose(
            user -> {
              JsonObject claims = user.attributes().getJsonObject("accessToken");
              if (claims == null) {
                claims = user.principal();
              }
              return toPrincipal(claims);
            })
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof ApiException ? err : unauthorized("invalid token")));
  }

  Future<Principal> toPrincipal(JsonObject claims) {
    String sub = claims.getValue("sub") instanceof String s ? s : null;
    if (!UsersFile.isValidUserId(sub)) {
      return Future.failedFuture(unauthorized("token subject is missing or not a valid user name"));
    }
    if (!(claims.getValue("exp") instanceof Number)) {
      return Future.failedFuture(unauthorized("token has no expiry"));
    }
    Set<String> roles = new LinkedHashSet<>();
    if (claims.getValue("roles") instanceof JsonArray array) {
      array.forEach(
          r -> {
            if (r instanceof String role) {
              roles.add(role);
            }
          });
    }
    String project = claims.getValue("project") instanceof String p ? p : null;
    String task = claims.getValue("task") instanceof String t ? t : null;
    return Future.succeededFuture(new Principal(sub, roles, project, task, "user:" + sub));
  }

  /** True when this server can issue sessions (an HS256 secret is configured). */
  public boolean canIssue() {
    return issuer != null;
  }

  /** A session token for {@code user} valid for the configured TTL. */
  public String issue(String user, Set<String> roles) {
    if (issuer == null) {
      throw new ApiException(
          ErrorCode.UNAVAILABLE, "this server cannot issue sessions (no HS256 secret)");
    }
    JsonObject claims =
        new JsonObject().put("sub", user).put("roles", new JsonArray(List.copyOf(roles)));
    JWTOptions options =
        new JWTOptions()
            .setAlgorithm("HS256")
            .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, config.tokenTtl().toSeconds()));
    if (config.issuer() != null) {
      options.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      options.setAudience(List.of(config.audience()));
    }
    return issuer.generateToken(claims, options);
  }

  /**
   * A signed, short-lived token carrying one code-flow sign-in's state ({@link OidcLogin}); its
   * {@code typ} is {@code oidc-flow} and it has no {@code sub}, so it is never a session.
   */
  String issueFlow(JsonObject claims, int ttlSeconds) {
    if (issuer == null) {
      throw new ApiException(
          ErrorCode.UNAVAILABLE, "this server cannot issue sessions (no HS256 secret)");
    }
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds);
    if (config.issuer() != null) {
      options.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      options.setAudience(List.of(config.audience()));
    }
    return issuer.generateToken(claims, options);
  }

  /** The claims of a valid {@link #issueFlow} token, or a failed future (400). */
  Future<JsonObject> verifyFlow(String token) {
    Future<io.vertx.ext.auth.User> verified;
    try {
      verified = issuer.authenticate(new TokenCredentials(token));
    } catch (RuntimeException malformed) {
      verified = Future.failedFuture(malformed);
    }
    return verified.transform(
        ar -> {
          JsonObject claims =
              ar.succeeded() ? ar.result().attributes().getJsonObject("accessToken") : null;
          if (claims == null || !"oidc-flow".equals(claims.getValue("typ"))) {
            return Future.failedFuture(
                new ApiException(ErrorCode.INVALID_FIELD, "the sign-in expired; start again"));
          }
          return Future.succeededFuture(claims);
        });
  }

  /** The {@code exp} of a token already verified (epoch seconds), or 0 when it has none. */
  static long expiry(String token) {
    try {
      String payload = token.split("\\.")[1];
      JsonObject claims =
          new JsonObject(
              new String(java.util.Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
      return claims.getValue("exp") instanceof Number n ? n.longValue() : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  static ApiException unauthorized(String message) {
    return new ApiException(ErrorCode.UNAUTHORIZED, message);
  }
}
