package io.vizrelay.common.auth.oidc;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider's signing keys (its JWKS), fetched over HTTP and cached: fetched at start (a failure
 * fails the start), again every {@code refresh}, and on demand when a token names a key id ({@code
 * kid}) not in the cache, at most once per {@code minRefresh} (a flood of made-up key ids costs the
 * provider one request per interval); concurrent demands share one fetch. A failed fetch keeps the
 * cached keys, so tokens signed with them are still accepted while the provider is down.
 *
 * <p>Only signature keys of asymmetric algorithms are kept ({@link #ALGORITHMS}): a symmetric
 * ({@code oct}) key published in a JWKS is dropped, so no token can be verified with an HMAC keyed
 * by public material (HS/RS key confusion), and {@code alg:none} has no key.
 */
public final class RemoteKeys {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeys.class);

  /** The signature algorithms accepted from a provider. */
  public static final Set<String> ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  /** The keys of one fetch: the JWKs kept, their key ids and algorithms. */
  public record KeySet(List<JsonObject> keys, Set<String> kids, Set<String> algorithms) {}

  private final Vertx vertx;
  private final ProviderHttp http;
  private final String jwksUri;
  private final long minRefreshNanos;
  private final AtomicLong fetches = new AtomicLong();
  private volatile KeySet current;
  private Future<KeySet> inFlight; // guarded by this
  private long lastOnDemand; // guarded by this; System.nanoTime of the last on-demand fetch
  private boolean onDemandYet; // guarded by this

  private RemoteKeys(Vertx vertx, ProviderHttp http, String jwksUri, Duration minRefresh) {
    this.vertx = vertx;
    this.http = http;
    this.jwksUri = jwksUri;
    this.minRefreshNanos = minRefresh.toNanos();
  }

  /**
   * Fetches the keys at {@code jwksUri} (a failure, or a JWKS without a usable key, fails the
   * future) and schedules the refresh every {@code refresh}.
   */
  public static Future<RemoteKeys> start(
      Vertx vertx, ProviderHttp http, String jwksUri, Duration refresh, Duration minRefresh) {
    RemoteKeys keys = new RemoteKeys(vertx, http, jwksUri, minRefresh);
    return keys.fetch()
        .compose(
            set ->
                set.keys().isEmpty()
                    ? Future.failedFuture(
                        new ProviderHttp.ProviderException(
                            jwksUri + " holds no usable signature key (" + ALGORITHMS + ")"))
                    : Future.succeededFuture(keys))
        .onSuccess(k -> vertx.setPeriodic(refresh.toMillis(), id -> k.fetch().otherwiseEmpty()));
  }

  /** The keys now in the cache. */
  public KeySet current() {
    return current;
  }

  /** Fetches of the JWKS so far (successful or not). */
  public long fetches() {
    return fetches.get();
  }

  /**
   * A fetch for a token whose key id is not cached: shares a fetch under way, else fetches unless
   * one was made on demand less than {@code minRefresh} ago (then answers the cached keys).
   */
  public Future<KeySet> refreshForUnknownKey() {
    Promise<KeySet> started;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight.recover(err -> Future.succeededFuture(current));
      }
      long now = System.nanoTime();
      if (onDemandYet && now - lastOnDemand < minRefreshNanos) {
        return Future.succeededFuture(current);
      }
      onDemandYet = true;
      lastOnDemand = now;
      started = begin();
    }
    return call(started).recover(err -> Future.succeededFuture(current));
  }

  /**
   * Fetches the JWKS now (or joins a fetch under way); on failure the cache is kept (and the future
   * fails). No lock is held while the provider is called or its answer handled.
   */
  Future<KeySet> fetch() {
    Promise<KeySet> started;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      started = begin();
    }
    return call(started);
  }

  /** Marks a fetch under way; the caller holds the lock and then {@link #call}s outside it. */
  private Promise<KeySet> begin() {
    Promise<KeySet> promise = Promise.promise();
    inFlight = promise.future();
    return promise;
  }

  private Future<KeySet> call(Promise<KeySet> promise) {
    fetches.incrementAndGet();
    http.getJson(jwksUri)
        .map(this::parse)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                keep(ar.result());
              } else {
                LOG.warn(
                    "signing keys not refreshed, the cached ones stay in use: {}",
                    ar.cause().getMessage());
              }
              synchronized (this) {
                inFlight = null;
              }
              promise.handle(ar);
            });
    return promise.future();
  }

  private void keep(KeySet set) {
    if (current == null || !current.kids().equals(set.kids())) {
      LOG.info("signing keys of {}: {}", jwksUri, set.kids());
    }
    current = set;
  }

  private KeySet parse(JsonObject jwks) {
    List<JsonObject> kept = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    Set<String> algorithms = new HashSet<>();
    JsonArray keys = jwks.getValue("keys") instanceof JsonArray a ? a : new JsonArray();
    for (Object k : keys) {
      if (!(k instanceof JsonObject jwk)) {
        continue;
      }
      JsonObject key = usable(jwk.copy());
      if (key != null) {
        kept.add(key);
        algorithms.add(key.getString("alg"));
        if (key.getValue("kid") instanceof String kid) {
          kids.add(kid);
        }
      }
    }
    return new KeySet(List.copyOf(kept), Set.copyOf(kids), Set.copyOf(algorithms));
  }

  /**
   * The key if it is an asymmetric signature key the library accepts ({@code alg} filled in from
   * {@code kty}/{@code crv} when the provider leaves it out, as Azure AD does), else null.
   */
  private JsonObject usable(JsonObject jwk) {
    String use = jwk.getValue("use") instanceof String u ? u : "sig";
    String kty = jwk.getValue("kty") instanceof String t ? t : "";
    if (!"sig".equals(use) || !(kty.equals("RSA") || kty.equals("EC"))) {
      return null;
    }
    if (!(jwk.getValue("alg") instanceof String)) {
      String alg = kty.equals("RSA") ? "RS256" : ecAlgorithm(jwk.getString("crv", ""));
      if (alg == null) {
        return null;
      }
      jwk.put("alg", alg);
    }
    if (!ALGORITHMS.contains(jwk.getString("alg"))) {
      return null;
    }
    try {
      JWTAuth.create(vertx, new JWTAuthOptions().setJwks(List.of(jwk)));
      return jwk;
    } catch (RuntimeException malformed) {
      LOG.warn("ignoring a malformed key {} of {}: {}", jwk.getValue("kid"), jwksUri, malformed);
      return null;
    }
  }

  private static String ecAlgorithm(String crv) {
    return switch (crv) {
      case "P-256" -> "ES256";
      case "P-384" -> "ES384";
      case "P-521" -> "ES512";
      default -> null;
    };
  }
}
