package io.vizrelay.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Blocking set-up and clean-up POSTs from the bench's main thread (filling windows, creating tasks,
 * closing them). Each call is bounded; a call that got no answer in time is retried on a fresh
 * connection (a lone request from a non-Vert.x thread was seen to stall on a loaded machine), and a
 * non-200 answer fails the scenario with the server's message.
 */
final class AdminClient {
  static final int ATTEMPTS = 3;
  static final long ATTEMPT_TIMEOUT_SECONDS = 60;

  private AdminClient() {}

  static HttpPoster.Reply post(Vertx vertx, ServerProcess server, String path, Buffer body)
      throws Exception {
    return post(vertx, server.port, server::alive, path, body);
  }

  static HttpPoster.Reply post(
      Vertx vertx, int port, BooleanSupplier alive, String path, Buffer body) throws Exception {
    Exception last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try (HttpPoster http = new HttpPoster(vertx, port, 1, 1)) {
        HttpPoster.Reply r =
            http.post(path, body)
                .toCompletionStage()
                .toCompletableFuture()
                .get(ATTEMPT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!r.ok()) {
          throw new IllegalStateException(
              "POST " + path + " answered HTTP " + r.status() + ": " + r.body());
        }
        return r;
      } catch (TimeoutException e) {
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
