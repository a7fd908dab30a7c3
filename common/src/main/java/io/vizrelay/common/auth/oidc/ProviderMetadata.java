package io.vizrelay.common.auth.oidc;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What vizrelay uses of a provider's discovery document ({@code
 * <issuer>/.well-known/openid-configuration}, OpenID Connect Discovery 1.0 §4).
 *
 * @param issuer the {@code issuer}: must equal the configured one exactly (§4.3)
 * @param authorizationEndpoint where the browser signs in (code flow)
 * @param tokenEndpoint where the code is exchanged
 * @param jwksUri the provider's signing keys
 * @param endSessionEndpoint the provider's sign-out (RP-initiated logout), or null
 */
public record ProviderMetadata(
    String issuer,
    String authorizationEndpoint,
    String tokenEndpoint,
    String jwksUri,
    String endSessionEndpoint) {

  /** Fetches and checks the discovery document of {@code issuer} at {@code discoveryUrl}. */
  public static Future<ProviderMetadata> discover(
      ProviderHttp http, String issuer, String discoveryUrl) {
    return http.getJson(discoveryUrl).compose(doc -> parse(doc, issuer, discoveryUrl));
  }

  static Future<ProviderMetadata> parse(JsonObject doc, String issuer, String url) {
    String actual = doc.getValue("issuer") instanceof String s ? s : null;
    if (!issuer.equals(actual)) {
      return Future.failedFuture(
          new ProviderHttp.ProviderException(
              url + " names issuer " + actual + ", not the configured " + issuer));
    }
    String auth = string(doc, "authorization_endpoint");
    String token = string(doc, "token_endpoint");
    String jwks = string(doc, "jwks_uri");
    if (auth == null || token == null || jwks == null) {
      return Future.failedFuture(
          new ProviderHttp.ProviderException(
              url + " lacks authorization_endpoint, token_endpoint or jwks_uri"));
    }
    return Future.succeededFuture(
        new ProviderMetadata(actual, auth, token, jwks, string(doc, "end_session_endpoint")));
  }

  private static String string(JsonObject doc, String key) {
    return doc.getValue(key) instanceof String s && !s.isBlank() ? s : null;
  }
}
