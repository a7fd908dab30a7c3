package io.vizrelay.common.auth;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.net.URI;
import java.util.Locale;

/**
 * Where a request comes from: the checks against other web pages acting through a visitor's
 * browser.
 *
 * <ul>
 *   <li>{@link #checkWebSocket}: a WebSocket handshake from a foreign page ({@code Origin}) is 403.
 *   <li>{@link #checkAmbient} (CSRF): an unsafe request whose credential the browser adds by itself
 *       (the session cookie, or nothing at all with {@code VIZRELAY_AUTH=none}) must come from this
 *       server's own page: a same-origin {@code Origin} or {@code Sec-Fetch-Site: same-origin}, and
 *       a JSON body ({@code Content-Type: application/json}, which a foreign form cannot send).
 *       Requests without either header are not from a browser (the visdom client, curl) and pass:
 *       their credential, if any, was set by their own program.
 *   <li>{@link #checkHost} (DNS rebinding): with {@code VIZRELAY_AUTH=none} a {@code Host} other
 *       than a loopback name or one of {@code VIZRELAY_ALLOWED_HOSTS} is 421.
 * </ul>
 *
 * Origins in {@code VIZRELAY_ALLOWED_ORIGINS} count as the same origin.
 */
public final class RequestOrigin {
  private final AuthConfig auth;

  public RequestOrigin(AuthConfig auth) {
    this.auth = auth;
  }

  /**
   * 403 for a WebSocket handshake from a foreign page: an {@code Origin} that is neither this
   * server (same host and port as the {@code Host} header) nor in {@code VIZRELAY_ALLOWED_ORIGINS}.
   * No {@code Origin} (non-browser clients) passes: those need a credential anyway.
   */
  public void checkWebSocket(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !sameOrAllowed(origin, request)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "WebSocket origin " + origin + " is not allowed");
    }
  }

  /**
   * CSRF: see the class comment; {@code ambient} tells whether the request's credential is ambient.
   */
  void checkAmbient(HttpServerRequest request, boolean ambient) {
    if (!ambient || safe(request.method())) {
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String site = request.getHeader("Sec-Fetch-Site");
    if (origin == null && site == null) {
      return;
    }
    boolean sameOrigin =
        origin != null ? sameOrAllowed(origin, request) : "same-origin".equalsIgnoreCase(site);
    if (!sameOrigin) {
      throw new ApiException(
          ErrorCode.FORBIDDEN,
          "cross-site request refused: "
              + (origin != null ? "Origin " + origin : "Sec-Fetch-Site " + site)
              + " is not this server");
    }
    if (request.method() != HttpMethod.DELETE
        && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "a browser request with a session cookie must send Content-Type: application/json");
    }
  }

  /** Only the origin part of {@link #checkAmbient}, for the sign-in (login CSRF). */
  void checkSignIn(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !sameOrAllowed(origin, request)) {
      throw new ApiException(
          ErrorCode.FORBIDDEN, "sign-in from another site (Origin " + origin + ") refused");
    }
  }

  /** DNS rebinding: with auth off, 421 unless {@code Host} is a loopback name or an allowed one. */
  public void checkHost(HttpServerRequest request) {
    if (auth.enabled() || auth.allowedHosts().contains("*")) {
      return;
    }
    String host = hostName(hostHeader(request));
    if (host == null || !(AuthConfig.isLoopback(host) || auth.allowedHosts().contains(host))) {
      throw new ApiException(
          ErrorCode.MISDIRECTED_REQUEST,
          "this server answers only for loopback names and"
              + " VIZRELAY_ALLOWED_HOSTS, not for Host "
              + host);
    }
  }

  /**
   * The request's {@code Host}: the header in HTTP/1.x, the {@code :authority} in HTTP/2 (which has
   * no {@code Host} header; Java's HttpClient upgrades to it by itself); null when absent.
   */
  static String hostHeader(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.HOST);
    if (header != null || request.authority() == null) {
      return header;
    }
    return request.authority().toString();
  }

  /** The name of a {@code Host} header without its port, lower case; null when absent. */
  static String hostName(String hostHeader) {
    if (hostHeader == null || hostHeader.isEmpty()) {
      return null;
    }
    String h = hostHeader.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static boolean safe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }

  private static boolean isJson(String contentType) {
    return contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
  }

  private boolean sameOrAllowed(String origin, HttpServerRequest request) {
    if (auth.allowedOrigins().contains(origin)) {
      return true;
    }
    String host = hostHeader(request);
    String authority;
    try {
      URI uri = URI.create(origin);
      authority =
          "http".equals(uri.getScheme()) || "https".equals(uri.getScheme())
              ? uri.getRawAuthority()
              : null;
    } catch (IllegalArgumentException e) {
      authority = null;
    }
    return authority != null && host != null && sameAuthority(authority, host, request.isSSL());
  }

  private static boolean sameAuthority(String origin, String host, boolean ssl) {
    String defaultPort = ssl ? ":443" : ":80";
    String a = origin.toLowerCase(Locale.ROOT);
    String b = host.toLowerCase(Locale.ROOT);
    return a.equals(b) || a.equals(b + defaultPort) || b.equals(a + defaultPort);
  }
}
