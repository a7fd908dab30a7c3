/**
 * Keys and tokens of an external identity provider (issue 18): the OpenID Connect discovery
 * document ({@link io.vizrelay.common.auth.oidc.ProviderMetadata}), its JWKS fetched over HTTP and
 * kept fresh ({@link io.vizrelay.common.auth.oidc.RemoteKeys}), the verification of its tokens
 * ({@link io.vizrelay.common.auth.oidc.RemoteTokens}) and the HTTP calls to it ({@link
 * io.vizrelay.common.auth.oidc.ProviderHttp}). Signatures and claims are checked by vertx-auth-jwt;
 * nothing here maps claims to vizrelay's users (that is {@code io.vizrelay.common.auth}).
 */
package io.vizrelay.common.auth.oidc;
