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

  private Tokens(AuthConfig config, JWTAuth verifier, JWTAuth issuer) {
    this.config = config;
    this.verifier = verifier;
    this.issuer = issuer;
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
    if (config.publicKeyFile() != null) {
      verify.addPubSecKey(
          new PubSecKeyOptions()
              .setAlgorithm("RS256")
              .setBuffer(Files.readString(config.publicKeyFile(), StandardCharsets.UTF_8)));
    }
    if (config.jwksFile() != null) {
      JsonObject jwks = new JsonObject(Files.readString(config.jwksFile(), StandardCharsets.UTF_8));
      List<JsonObject> keys =
          jwks.getJsonArray("keys", new JsonArray()).stream().map(JsonObject.class::cast).toList();
      verify.setJwks(keys);
    }
    boolean anyKey =
        config.hs256Secret() != null || config.publicKeyFile() != null || config.jwksFile() != null;
    return new Tokens(config, anyKey ? JWTAuth.create(vertx, verify) : null, issuer);
  }

  /** The principal of a valid token, or a failed future with 401. */
  public Future<Principal> verify(String token) {
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

  private Future<Principal> toPrincipal(JsonObject claims) {
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

  static ApiException unauthorized(String message) {
    return new ApiException(ErrorCode.UNAUTHORIZED, message);
  }
}
