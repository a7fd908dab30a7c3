package io.vizrelay.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Keys fetched from an identity provider (issue 18): OpenID Connect ({@code VIZRELAY_AUTH=oidc}) or
 * a bare JWKS URL for platform tokens ({@code VIZRELAY_JWT_JWKS_URL}). Part of {@link AuthConfig};
 * {@link #toString()} never shows the client secret.
 *
 * @param issuer {@code VIZRELAY_OIDC_ISSUER}: the provider; its {@code
 *     /.well-known/openid-configuration} names the JWKS and the endpoints of the code flow; tokens
 *     must carry it as {@code iss}
 * @param clientId {@code VIZRELAY_OIDC_CLIENT_ID}: this server's client at the provider
 * @param clientSecret {@code VIZRELAY_OIDC_CLIENT_SECRET}, or the contents of {@code
 *     VIZRELAY_OIDC_CLIENT_SECRET_FILE}
 * @param audience {@code VIZRELAY_OIDC_AUDIENCE}: the {@code aud} bearer tokens must carry
 *     (default: the client id); ID tokens of the sign-in must name the client id
 * @param userClaim {@code VIZRELAY_OIDC_USER_CLAIM}: the claim naming the user (default {@code
 *     preferred_username})
 * @param adminClaim {@code VIZRELAY_OIDC_ADMIN_CLAIM}: a claim (a dotted path such as {@code
 *     realm_access.roles} reaches into objects; a string or an array of strings) that makes an
 *     admin when it holds {@code adminValue}; null: nobody is admin through the provider
 * @param adminValue {@code VIZRELAY_OIDC_ADMIN_VALUE}: the role or group that makes an admin
 * @param redirectUri {@code VIZRELAY_OIDC_REDIRECT_URI}: where the provider sends the browser back
 *     ({@code .../auth/oidc/callback}); null: built from the request's {@code Host}
 * @param jwksUrl {@code VIZRELAY_JWT_JWKS_URL}: a JWKS fetched over HTTP (with {@code
 *     VIZRELAY_AUTH=jwt}: platform tokens, no discovery; with {@code oidc}: instead of the
 *     discovered {@code jwks_uri})
 * @param jwksRefresh {@code VIZRELAY_JWKS_REFRESH_SECONDS} (default 300): the keys are fetched
 *     again this often
 * @param jwksMinRefresh {@code VIZRELAY_JWKS_MIN_REFRESH_SECONDS} (default 10): a token with an
 *     unknown {@code kid} fetches the keys again at most once per this interval
 */
public record OidcConfig(
    String issuer,
    String clientId,
    String clientSecret,
    String audience,
    String userClaim,
    String adminClaim,
    String adminValue,
    String redirectUri,
    String jwksUrl,
    Duration jwksRefresh,
    Duration jwksMinRefresh) {

  static OidcConfig fromEnv(EnvVars e) {
    String secret = e.string("VIZRELAY_OIDC_CLIENT_SECRET", null);
    String secretFile = e.string("VIZRELAY_OIDC_CLIENT_SECRET_FILE", null);
    if (secret == null && secretFile != null) {
      secret = read(Path.of(secretFile));
    }
    String issuer = e.string("VIZRELAY_OIDC_ISSUER", null);
    String clientId = e.string("VIZRELAY_OIDC_CLIENT_ID", null);
    return new OidcConfig(
        issuer,
        clientId,
        secret,
        e.string("VIZRELAY_OIDC_AUDIENCE", clientId),
        e.string("VIZRELAY_OIDC_USER_CLAIM", "preferred_username"),
        e.string("VIZRELAY_OIDC_ADMIN_CLAIM", null),
        e.string("VIZRELAY_OIDC_ADMIN_VALUE", null),
        e.string("VIZRELAY_OIDC_REDIRECT_URI", null),
        e.string("VIZRELAY_JWT_JWKS_URL", null),
        Duration.ofSeconds(e.integer("VIZRELAY_JWKS_REFRESH_SECONDS", 300, 1, 86_400)),
        Duration.ofSeconds(e.integer("VIZRELAY_JWKS_MIN_REFRESH_SECONDS", 10, 0, 3600)));
  }

  /** Fails start-up on a missing part of {@code VIZRELAY_AUTH=oidc}. */
  void validate(boolean oidcMode) {
    if (oidcMode) {
      require(issuer, "VIZRELAY_OIDC_ISSUER");
      require(clientId, "VIZRELAY_OIDC_CLIENT_ID");
      require(clientSecret, "VIZRELAY_OIDC_CLIENT_SECRET or VIZRELAY_OIDC_CLIENT_SECRET_FILE");
      if (!issuer.startsWith("https://") && !issuer.startsWith("http://")) {
        throw new IllegalArgumentException(
            "VIZRELAY_OIDC_ISSUER must be an http(s) URL, was " + issuer);
      }
    }
    if ((adminClaim == null) != (adminValue == null)) {
      throw new IllegalArgumentException(
          "VIZRELAY_OIDC_ADMIN_CLAIM and VIZRELAY_OIDC_ADMIN_VALUE go together");
    }
    if (jwksUrl != null && !jwksUrl.startsWith("https://") && !jwksUrl.startsWith("http://")) {
      throw new IllegalArgumentException("VIZRELAY_JWT_JWKS_URL must be an http(s) URL");
    }
  }

  private static void require(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("VIZRELAY_AUTH=oidc needs " + name);
    }
  }

  /** The discovery document's URL: the issuer (without a trailing slash) + the well-known path. */
  public String discoveryUrl() {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return base + "/.well-known/openid-configuration";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException ex) {
      throw new IllegalArgumentException(
          "VIZRELAY_OIDC_CLIENT_SECRET_FILE cannot be read: " + file, ex);
    }
  }

  @Override
  public String toString() {
    return "OidcConfig[issuer="
        + issuer
        + ", clientId="
        + clientId
        + ", clientSecret="
        + (clientSecret == null ? "none" : "***")
        + ", audience="
        + audience
        + ", userClaim="
        + userClaim
        + ", adminClaim="
        + adminClaim
        + ", adminValue="
        + adminValue
        + ", redirectUri="
        + redirectUri
        + ", jwksUrl="
        + jwksUrl
        + ", jwksRefresh="
        + jwksRefresh
        + ", jwksMinRefresh="
        + jwksMinRefresh
        + "]";
  }
}
