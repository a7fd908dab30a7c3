package io.vizrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Blocking set-up and clean-up POSTs from the bench's main thread (filling windows, creating tasks,
 * closing them), on the JDK's HTTP client: a lone request through a Vert.x client made from a
 * non-Vert.x thread right after the load's clients closed was seen to get no answer for 60 s
 * against the bare server as much as against vizrelay, which also spoiled the warm-up that
 * followed. Each call is bounded; a call that got no answer in time is retried, and a non-200
 * answer fails the scenario with the server's message.
 */
final class AdminClient {
  static final int ATTEMPTS = 3;
  static final long ATTEMPT_TIMEOUT_SECONDS = 60;

  /** One client for the bench's life (its selector thread is shared by every call). */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(ATTEMPT_TIMEOUT_SECONDS))
          .build();

  private AdminClient() {}

  static HttpPoster.Reply post(ServerProcess server, String path, Buffer body) throws Exception {
    return post(server.port, server::alive, path, body);
  }

  static HttpPoster.Reply post(int port, BooleanSupplier alive, String path, Buffer body)
      throws Exception {
    Exception last = null;
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(ATTEMPT_TIMEOUT_SECONDS))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes()))
            .build();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IllegalStateException(
              "POST " + path + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return new HttpPoster.Reply(r.statusCode(), r.body());
      } catch (HttpTimeoutException e) {
        last = e;
        System.err.printf(
            "[bench] POST %s: no answer in %d s (attempt %d of %d, server alive: %s)%n",
            path, ATTEMPT_TIMEOUT_SECONDS, attempt, ATTEMPTS, alive.getAsBoolean());
      }
    }
    throw new IllegalStateException(
        "POST " + path + " got no answer after " + ATTEMPTS + " attempts", last);
  }
}
