package io.vizrelay.common.auth.oidc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The HTTP calls to the identity provider, non-blocking: a JSON document by GET (discovery, JWKS),
 * a form POST (the token endpoint). Bounded in time and size; a non-2xx answer or a body that is
 * not a JSON object fails the future with a message naming the URL. The future completes on the
 * caller's Vert.x context.
 *
 * <p>The transport is the JDK's asynchronous {@link HttpClient} (its own selector thread; nothing
 * here blocks an event loop). Vert.x 5.0's client was used first: on loopback one call in about a
 * hundred, with keep-alive off and a client per call alike, never completed while every event loop
 * sat idle in its selector, and a key refresh after a rotation then waited for the whole timeout
 * (CI failures of {@code OidcBearerTest}; the JDK client gave no stall in the same loops).
 */
public final class ProviderHttp {
  /** Connect timeout of one call. */
  public static final int TIMEOUT_MS = 10_000;

  /** Upper bound of one whole call (connect, send, answer). */
  public static final int TOTAL_TIMEOUT_MS = 15_000;

  /** Largest document accepted from the provider. */
  public static final int MAX_BYTES = 1 << 20;

  private final Vertx vertx;
  private final HttpClient client;

  public ProviderHttp(Vertx vertx) {
    this.vertx = vertx;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(TIMEOUT_MS))
            .followRedirects(HttpClient.Redirect.NEVER)
            // every provider speaks it; no h2c upgrade dance on plain http
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** GETs {@code url} and parses its JSON object. */
  public Future<JsonObject> getJson(String url) {
    return call(request(url).GET(), url);
  }

  /**
   * POSTs {@code form} ({@code application/x-www-form-urlencoded}) to {@code url}, with {@code
   * authorization} as the {@code Authorization} header when not null.
   */
  public Future<JsonObject> postForm(String url, Map<String, String> form, String authorization) {
    String body =
        form.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder builder =
        request(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return call(builder, url);
  }

  private static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Accept", "application/json")
        .timeout(Duration.ofMillis(TOTAL_TIMEOUT_MS));
  }

  private Future<JsonObject> call(HttpRequest.Builder builder, String url) {
    Context context = vertx.getOrCreateContext();
    Promise<JsonObject> promise = Promise.promise();
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      sent = client.sendAsync(builder.build(), ProviderHttp::bounded);
    } catch (RuntimeException bad) {
      return Future.failedFuture(new ProviderException(url + ": " + bad, bad));
    }
    // the whole call is bounded, not only each gap: a provider that trickles can never hold a
    // sign-in or a key refresh longer than this
    sent.orTimeout(TOTAL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .whenComplete(
            (resp, err) ->
                context.runOnContext(
                    v -> {
                      if (err != null) {
                        Throwable cause = err.getCause() != null ? err.getCause() : err;
                        promise.fail(new ProviderException(url + ": " + cause, cause));
                      } else {
                        promise.handle(read(resp, url));
                      }
                    }));
    return promise.future();
  }

  /**
   * The body as bytes, or null as soon as it is known to exceed {@link #MAX_BYTES} (announced by
   * its length, or read that far without one): never more than that is held.
   */
  private static HttpResponse.BodySubscriber<byte[]> bounded(HttpResponse.ResponseInfo info) {
    long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
    return length > MAX_BYTES
        ? HttpResponse.BodySubscribers.replacing(null)
        : new BoundedBody(MAX_BYTES);
  }

  private static Future<JsonObject> read(HttpResponse<byte[]> resp, String url) {
    byte[] body = resp.body();
    if (body == null || body.length > MAX_BYTES) {
      return Future.failedFuture(new ProviderException(url + ": answer larger than " + MAX_BYTES));
    }
    Buffer buf = Buffer.buffer(body);
    if (resp.statusCode() / 100 != 2) {
      return Future.failedFuture(
          new ProviderException(url + " answered HTTP " + resp.statusCode() + ": " + snippet(buf)));
    }
    try {
      return Future.succeededFuture(new JsonObject(buf));
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new ProviderException(url + " did not answer a JSON object"));
    }
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
