package io.vizrelay.common.auth.oidc;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The HTTP calls to the identity provider, non-blocking (Vert.x's client): a JSON document by GET
 * (discovery, JWKS), a form POST (the token endpoint). Bounded in time and size; a non-2xx answer
 * or a body that is not a JSON object fails the future with a message naming the URL.
 */
public final class ProviderHttp {
  /** Connect and idle timeout of one call. */
  public static final int TIMEOUT_MS = 10_000;

  /** Upper bound of one whole call (connect, send, answer). */
  public static final int TOTAL_TIMEOUT_MS = 15_000;

  /** Largest document accepted from the provider. */
  public static final int MAX_BYTES = 1 << 20;

  private final HttpClient client;

  public ProviderHttp(Vertx vertx) {
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(TIMEOUT_MS)
                .setIdleTimeout(TIMEOUT_MS / 1000)
                // calls are rare: a fresh connection each, never a pooled one the provider (or a
                // proxy) has meanwhile dropped
                .setKeepAlive(false)
                .setVerifyHost(true));
  }

  /** GETs {@code url} and parses its JSON object. */
  public Future<JsonObject> getJson(String url) {
    return call(options(HttpMethod.GET, url), null, url);
  }

  /**
   * POSTs {@code form} ({@code application/x-www-form-urlencoded}) to {@code url}, with {@code
   * authorization} as the {@code Authorization} header when not null.
   */
  public Future<JsonObject> postForm(String url, Map<String, String> form, String authorization) {
    RequestOptions options =
        options(HttpMethod.POST, url)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded");
    if (authorization != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
    String body =
        form.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    return call(options, Buffer.buffer(body), url);
  }

  private static RequestOptions options(HttpMethod method, String url) {
    return new RequestOptions()
        .setMethod(method)
        .setAbsoluteURI(url)
        .setHeaders(MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.ACCEPT, "application/json"))
        .setIdleTimeout(TIMEOUT_MS)
        .setConnectTimeout(TIMEOUT_MS);
  }

  private Future<JsonObject> call(RequestOptions options, Buffer body, String url) {
    return client
        .request(options)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> read(resp, url))
        // the whole call is bounded, not only each idle gap: a provider that trickles or a pool
        // wait can never hold a sign-in or a key refresh longer than this
        .timeout(TOTAL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof ProviderException
                        ? err
                        : new ProviderException(url + ": " + err, err)));
  }

  private static Future<JsonObject> read(HttpClientResponse resp, String url) {
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.length() < 12 && Long.parseLong(length) > MAX_BYTES) {
      return Future.failedFuture(new ProviderException(url + ": answer larger than " + MAX_BYTES));
    }
    return resp.body()
        .compose(
            buf -> {
              if (resp.statusCode() / 100 != 2) {
                return Future.failedFuture(
                    new ProviderException(
                        url + " answered HTTP " + resp.statusCode() + ": " + snippet(buf)));
              }
              if (buf.length() > MAX_BYTES) {
                return Future.failedFuture(
                    new ProviderException(url + ": answer larger than " + MAX_BYTES));
              }
              try {
                return Future.succeededFuture(new JsonObject(buf));
              } catch (DecodeException | ClassCastException e) {
                return Future.failedFuture(
                    new ProviderException(url + " did not answer a JSON object"));
              }
            });
  }

  private static String snippet(Buffer buf) {
    String s = buf.toString(StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A failed call to the provider (unreachable, non-2xx, not JSON). */
  public static final class ProviderException extends RuntimeException {
    ProviderException(String message) {
      super(message);
    }

    ProviderException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
