package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.auth.oidc.ProviderHttp;
import io.vizrelay.common.auth.oidc.ProviderMetadata;
import io.vizrelay.common.auth.oidc.RemoteKeys;
import io.vizrelay.common.auth.oidc.RemoteTokens;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.config.OidcConfig;

/**
 * The identity provider of a process, set up at start: with {@code VIZRELAY_AUTH=oidc}, its
 * discovery document and keys; with {@code VIZRELAY_JWT_JWKS_URL}, the keys only. A provider that
 * cannot be reached, or answers nonsense, fails the start with a message saying which variable and
 * URL; later outages keep the cached keys ({@link RemoteKeys}).
 *
 * @param metadata the discovery document (null without discovery)
 * @param tokens the provider's tokens
 * @param http the client that reaches the provider (the code flow's token exchange)
 */
record ProviderSetup(ProviderMetadata metadata, RemoteTokens tokens, ProviderHttp http) {

  /** The provider of {@code auth}, or null (a succeeded future) when none is configured. */
  static Future<ProviderSetup> start(Vertx vertx, AuthConfig auth) {
    OidcConfig oidc = auth.oidc();
    ProviderHttp http = new ProviderHttp(vertx);
    if (auth.oidcMode()) {
      return ProviderMetadata.discover(http, oidc.issuer(), oidc.discoveryUrl())
          .recover(
              err ->
                  failed(
                      "VIZRELAY_OIDC_ISSUER "
                          + oidc.issuer()
                          + ": the discovery document cannot be read: "
                          + err.getMessage()))
          .compose(
              meta -> {
                String jwks = oidc.jwksUrl() != null ? oidc.jwksUrl() : meta.jwksUri();
                return keys(vertx, http, oidc, jwks)
                    .map(
                        k ->
                            new ProviderSetup(
                                meta, new RemoteTokens(vertx, k, meta.issuer()), http));
              });
    }
    if (oidc.jwksUrl() != null) {
      return keys(vertx, http, oidc, oidc.jwksUrl())
          .map(k -> new ProviderSetup(null, new RemoteTokens(vertx, k, auth.issuer()), http));
    }
    return Future.succeededFuture();
  }

  private static Future<RemoteKeys> keys(
      Vertx vertx, ProviderHttp http, OidcConfig oidc, String url) {
    return RemoteKeys.start(vertx, http, url, oidc.jwksRefresh(), oidc.jwksMinRefresh())
        .recover(err -> failed("the signing keys (JWKS) cannot be read: " + err.getMessage()));
  }

  private static <T> Future<T> failed(String message) {
    return Future.failedFuture(new IllegalStateException(message));
  }
}
