package io.vizrelay.common.auth.oidc;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies a provider's JWTs against its {@link RemoteKeys} with vertx-auth-jwt: the signature with
 * the key the header names (an unknown {@code kid} refreshes the keys first, rate-limited), the
 * algorithm (only {@link RemoteKeys#ALGORITHMS}; {@code none} and HMAC are refused before the
 * library is asked), {@code iss} (when configured), {@code aud} (the audience asked for), {@code
 * exp}/{@code nbf}/{@code iat} with {@link #LEEWAY_SECONDS} of clock skew; {@code exp} must be
 * present. Answers the token's claims, or a failed future with a {@link InvalidToken} saying why.
 */
public final class RemoteTokens {
  /** Clock skew tolerated on {@code exp}/{@code nbf}, seconds. */
  public static final int LEEWAY_SECONDS = 5;

  private final Vertx vertx;
  private final RemoteKeys keys;
  private final String issuer;

  /** Verifiers of the current key set, by audience (rebuilt when the keys change). */
  private volatile Verifiers verifiers = new Verifiers(null);

  private record Verifiers(RemoteKeys.KeySet keys, Map<String, JWTAuth> byAudience) {
    Verifiers(RemoteKeys.KeySet keys) {
      this(keys, new ConcurrentHashMap<>());
    }
  }

  /** Tokens signed by {@code keys}; {@code issuer} is the required {@code iss}, or null for any. */
  public RemoteTokens(Vertx vertx, RemoteKeys keys, String issuer) {
    this.vertx = vertx;
    this.keys = keys;
    this.issuer = issuer;
  }

  public RemoteKeys keys() {
    return keys;
  }

  /** The claims of a valid token for {@code audience} (null: any audience). */
  public Future<JsonObject> verify(String token, String audience) {
    Header header;
    try {
      header = Header.of(token);
    } catch (InvalidToken e) {
      return Future.failedFuture(e);
    }
    if (!RemoteKeys.ALGORITHMS.contains(header.alg())) {
      return Future.failedFuture(
          new InvalidToken("algorithm " + header.alg() + " is not accepted"));
    }
    RemoteKeys.KeySet set = keys.current();
    if (known(set, header)) {
      return verifyWith(set, token, audience);
    }
    return keys.refreshForUnknownKey()
        .compose(
            fresh ->
                known(fresh, header)
                    ? verifyWith(fresh, token, audience)
                    : Future.failedFuture(new InvalidToken("unknown signing key " + header.kid())));
  }

  private static boolean known(RemoteKeys.KeySet set, Header header) {
    return set.algorithms().contains(header.alg())
        && (header.kid() == null || set.kids().contains(header.kid()));
  }

  private Future<JsonObject> verifyWith(RemoteKeys.KeySet set, String token, String audience) {
    JWTAuth verifier = verifier(set, audience);
    Future<io.vertx.ext.auth.User> user;
    try {
      user = verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException malformed) {
      user = Future.failedFuture(malformed);
    }
    return user.<JsonObject>transform(
        ar -> {
          if (ar.failed()) {
            return Future.failedFuture(new InvalidToken(ar.cause().getMessage()));
          }
          JsonObject claims = ar.result().attributes().getJsonObject("accessToken");
          if (claims == null) {
            claims = ar.result().principal();
          }
          if (!(claims.getValue("exp") instanceof Number)) {
            return Future.failedFuture(new InvalidToken("token has no expiry"));
          }
          return Future.succeededFuture(claims);
        });
  }

  private JWTAuth verifier(RemoteKeys.KeySet set, String audience) {
    Verifiers v = verifiers;
    if (v.keys() != set) {
      v = new Verifiers(set);
      verifiers = v;
    }
    return v.byAudience()
        .computeIfAbsent(
            audience == null ? "" : audience,
            aud -> {
              JWTOptions options = new JWTOptions().setLeeway(LEEWAY_SECONDS);
              if (issuer != null) {
                options.setIssuer(issuer);
              }
              if (!aud.isEmpty()) {
                options.setAudience(List.of(aud));
              }
              return JWTAuth.create(
                  vertx, new JWTAuthOptions().setJwks(set.keys()).setJWTOptions(options));
            });
  }

  /** The parts of a JWT header used to pick the key. */
  public record Header(String alg, String kid) {
    public static Header of(String token) {
      int dot = token.indexOf('.');
      if (dot <= 0 || token.chars().filter(c -> c == '.').count() != 2) {
        throw new InvalidToken("not a signed JWT");
      }
      JsonObject json;
      try {
        json =
            new JsonObject(
                new String(
                    Base64.getUrlDecoder().decode(token.substring(0, dot)),
                    StandardCharsets.UTF_8));
      } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
        throw new InvalidToken("malformed JWT header");
      }
      String alg = json.getValue("alg") instanceof String a ? a : "none";
      String kid = json.getValue("kid") instanceof String k ? k : null;
      return new Header(alg, kid);
    }
  }

  /** Why a token was refused. */
  public static final class InvalidToken extends RuntimeException {
    public InvalidToken(String message) {
      super(message, null, false, false);
    }
  }
}
