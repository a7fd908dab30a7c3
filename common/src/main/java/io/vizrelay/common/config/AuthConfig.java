package io.vizrelay.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Who may do what (issue 7): the identity sources and the per-credential limits. Part of {@link
 * VizConfig}, read from the same environment; every key has a documented default (README
 * "Configuration"). {@link #toString()} never shows the secret.
 *
 * @param mode {@code VIZRELAY_AUTH}: {@code none} (default: everyone is the local admin; only a
 *     loopback bind is allowed) or {@code jwt} (every API call, socket and ingest needs a
 *     credential)
 * @param hs256Secret the shared HS256 secret ({@code VIZRELAY_JWT_HS256_SECRET}, or the contents of
 *     {@code VIZRELAY_JWT_SECRET_FILE}), at least 32 bytes; also signs the sessions this server
 *     issues
 * @param publicKeyFile RS256 public key, PEM ({@code VIZRELAY_JWT_PUBLIC_KEY_FILE}), or null
 * @param jwksFile a JWKS file {@code {"keys":[...]}} ({@code VIZRELAY_JWT_JWKS_FILE}), or null
 * @param issuer required {@code iss} of tokens ({@code VIZRELAY_JWT_ISSUER}), or null for any
 * @param audience required {@code aud} of tokens ({@code VIZRELAY_JWT_AUDIENCE}), or null for any
 * @param usersFile built-in sign-in users ({@code VIZRELAY_USERS_FILE}), or null: no built-in
 *     sign-in
 * @param apiKeysFile API keys of training jobs ({@code VIZRELAY_API_KEYS_FILE}), or null
 * @param allowedOrigins extra WebSocket {@code Origin}s allowed besides the same origin ({@code
 *     VIZRELAY_ALLOWED_ORIGINS}, comma separated; default none)
 * @param insecureBind allow a non-loopback bind without auth ({@code VIZRELAY_INSECURE_BIND},
 *     default false)
 * @param ingestRatePerSecond sustained ingest requests per credential ({@code
 *     VIZRELAY_INGEST_RATE_PER_SECOND}, default 200; bursts up to twice that); beyond it 429 with
 *     {@code Retry-After}
 * @param maxConnectionsPerUser browser sockets per user per node ({@code
 *     VIZRELAY_MAX_CONNECTIONS_PER_USER}, default 64)
 * @param tokenTtl lifetime of the sessions this server issues ({@code VIZRELAY_TOKEN_TTL_SECONDS},
 *     default 43200 = 12 h)
 * @param cookieSecure mark the session cookie {@code Secure} ({@code VIZRELAY_COOKIE_SECURE},
 *     default false; set it when the server is reached over HTTPS)
 * @param allowedHosts with {@code VIZRELAY_AUTH=none}, the {@code Host} names answered besides the
 *     loopback ones ({@code VIZRELAY_ALLOWED_HOSTS}, comma separated, {@code *} for any; default
 *     none, or {@code *} when {@code VIZRELAY_INSECURE_BIND=true}); others get 421 (DNS rebinding)
 * @param trustedProxies addresses of reverse proxies whose {@code X-Forwarded-For} names the client
 *     ({@code VIZRELAY_TRUSTED_PROXIES}, comma separated; default none: the header is ignored)
 * @param idleTimeoutSeconds an HTTP connection that neither reads nor writes this long is closed
 *     ({@code VIZRELAY_HTTP_IDLE_TIMEOUT_SECONDS}, default 60; open WebSockets are kept alive by
 *     the browser's pings and the server's frames)
 * @param oidc OpenID Connect and JWKS-over-HTTP settings ({@link OidcConfig}, issue 18)
 */
public record AuthConfig(
    Mode mode,
    String hs256Secret,
    Path publicKeyFile,
    Path jwksFile,
    String issuer,
    String audience,
    Path usersFile,
    Path apiKeysFile,
    List<String> allowedOrigins,
    boolean insecureBind,
    int ingestRatePerSecond,
    int maxConnectionsPerUser,
    Duration tokenTtl,
    boolean cookieSecure,
    List<String> allowedHosts,
    List<String> trustedProxies,
    int idleTimeoutSeconds,
    OidcConfig oidc) {

  /** Smallest accepted HS256 secret, in bytes (RFC 7518 §3.2: at least the hash size). */
  public static final int MIN_SECRET_BYTES = 32;

  /** {@code VIZRELAY_AUTH}. */
  public enum Mode {
    /**
     * No credentials: every request acts as the local admin ({@code VIZRELAY_USER}). Loopback only.
     */
    NONE,
    /** JWTs (platform-issued or from the built-in sign-in), API keys, visdom's login cookie. */
    JWT,
    /**
     * An OpenID Connect provider's tokens (bearer, and the page's sign-in through the code flow),
     * API keys, and this server's session cookie.
     */
    OIDC
  }

  public static AuthConfig none() {
    return fromEnv(Map.of());
  }

  public static AuthConfig fromEnv(Map<String, String> env) {
    return fromEnv(new EnvVars(env));
  }

  static AuthConfig fromEnv(EnvVars e) {
    String secret = e.string("VIZRELAY_JWT_HS256_SECRET", null);
    String secretFile = e.string("VIZRELAY_JWT_SECRET_FILE", null);
    if (secret == null && secretFile != null) {
      secret = readSecret(Path.of(secretFile));
    }
    String origins = e.string("VIZRELAY_ALLOWED_ORIGINS", "");
    boolean insecureBind = e.bool("VIZRELAY_INSECURE_BIND", false);
    return new AuthConfig(
        e.enumValue("VIZRELAY_AUTH", Mode.class, Mode.NONE),
        secret,
        path(e.string("VIZRELAY_JWT_PUBLIC_KEY_FILE", null)),
        path(e.string("VIZRELAY_JWT_JWKS_FILE", null)),
        e.string("VIZRELAY_JWT_ISSUER", null),
        e.string("VIZRELAY_JWT_AUDIENCE", null),
        path(e.string("VIZRELAY_USERS_FILE", null)),
        path(e.string("VIZRELAY_API_KEYS_FILE", null)),
        list(origins),
        insecureBind,
        e.integer("VIZRELAY_INGEST_RATE_PER_SECOND", 200, 1, Integer.MAX_VALUE),
        e.integer("VIZRELAY_MAX_CONNECTIONS_PER_USER", 64, 1, Integer.MAX_VALUE),
        Duration.ofSeconds(e.integer("VIZRELAY_TOKEN_TTL_SECONDS", 43_200, 60, Integer.MAX_VALUE)),
        e.bool("VIZRELAY_COOKIE_SECURE", false),
        list(e.string("VIZRELAY_ALLOWED_HOSTS", insecureBind ? "*" : "")).stream()
            .map(String::toLowerCase)
            .toList(),
        list(e.string("VIZRELAY_TRUSTED_PROXIES", "")),
        e.integer("VIZRELAY_HTTP_IDLE_TIMEOUT_SECONDS", 60, 1, Integer.MAX_VALUE),
        OidcConfig.fromEnv(e));
  }

  /** True unless {@code VIZRELAY_AUTH=none}: every request needs a credential. */
  public boolean enabled() {
    return mode != Mode.NONE;
  }

  /** True with {@code VIZRELAY_AUTH=oidc}. */
  public boolean oidcMode() {
    return mode == Mode.OIDC;
  }

  /** Fails start-up on an unusable combination, and on a non-loopback bind without auth. */
  void validate(String host) {
    if (hs256Secret != null
        && hs256Secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the HS256 secret must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    oidc.validate(oidcMode());
    if (oidcMode() && hs256Secret == null) {
      throw new IllegalArgumentException(
          "VIZRELAY_AUTH=oidc needs VIZRELAY_JWT_HS256_SECRET or VIZRELAY_JWT_SECRET_FILE to sign"
              + " the session cookies it issues after the sign-in");
    }
    if (mode == Mode.JWT
        && hs256Secret == null
        && publicKeyFile == null
        && jwksFile == null
        && oidc.jwksUrl() == null
        && apiKeysFile == null) {
      throw new IllegalArgumentException(
          "VIZRELAY_AUTH=jwt needs VIZRELAY_JWT_HS256_SECRET, VIZRELAY_JWT_SECRET_FILE,"
              + " VIZRELAY_JWT_PUBLIC_KEY_FILE, VIZRELAY_JWT_JWKS_FILE, VIZRELAY_JWT_JWKS_URL or"
              + " VIZRELAY_API_KEYS_FILE");
    }
    if (enabled() && usersFile != null && hs256Secret == null) {
      throw new IllegalArgumentException(
          "VIZRELAY_USERS_FILE needs VIZRELAY_JWT_HS256_SECRET or"
              + " VIZRELAY_JWT_SECRET_FILE to sign the sessions it issues");
    }
    if (!enabled() && !isLoopback(host) && !insecureBind) {
      throw new IllegalArgumentException(
          "refusing to listen on "
              + host
              + " without authentication: set"
              + " VIZRELAY_AUTH=jwt, or VIZRELAY_HOST=127.0.0.1, or VIZRELAY_INSECURE_BIND=true to accept the risk");
    }
  }

  /**
   * True for the loopback names and addresses (no DNS look-up): {@code localhost}, {@code ::1} and
   * numeric {@code 127.x.y.z} only ({@code 127.0.0.1.example} is a DNS name like any other).
   */
  public static boolean isLoopback(String host) {
    return host.equalsIgnoreCase("localhost")
        || host.equals("::1")
        || host.equals("[::1]")
        || isLoopbackV4(host);
  }

  /**
   * {@code 127} and three dot-separated groups of 1-3 ASCII digits, read by hand: it runs on every
   * request's {@code Host} with authentication off, where a regex match was 1 % of the event loop.
   */
  static boolean isLoopbackV4(String host) {
    if (!host.startsWith("127.")) {
      return false;
    }
    int i = 3;
    for (int group = 0; group < 3; group++) {
      if (i >= host.length() || host.charAt(i) != '.') {
        return false;
      }
      int digits = 0;
      i++;
      while (i < host.length() && host.charAt(i) >= '0' && host.charAt(i) <= '9') {
        digits++;
        i++;
      }
      if (digits < 1 || digits > 3) {
        return false;
      }
    }
    return i == host.length();
  }

  private static List<String> list(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }

  private static String readSecret(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("VIZRELAY_JWT_SECRET_FILE cannot be read: " + file, e);
    }
  }

  @Override
  public String toString() {
    return "AuthConfig[mode="
        + mode
        + ", hs256Secret="
        + (hs256Secret == null ? "none" : "***")
        + ", publicKeyFile="
        + publicKeyFile
        + ", jwksFile="
        + jwksFile
        + ", issuer="
        + issuer
        + ", audience="
        + audience
        + ", usersFile="
        + usersFile
        + ", apiKeysFile="
        + apiKeysFile
        + ", allowedOrigins="
        + allowedOrigins
        + ", insecureBind="
        + insecureBind
        + ", ingestRatePerSecond="
        + ingestRatePerSecond
        + ", maxConnectionsPerUser="
        + maxConnectionsPerUser
        + ", tokenTtl="
        + tokenTtl
        + ", cookieSecure="
        + cookieSecure
        + ", allowedHosts="
        + allowedHosts
        + ", trustedProxies="
        + trustedProxies
        + ", idleTimeoutSeconds="
        + idleTimeoutSeconds
        + ", oidc="
        + oidc
        + "]";
  }
}
