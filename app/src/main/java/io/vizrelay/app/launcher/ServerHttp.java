package io.vizrelay.app.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * JSON calls to the vizrelay server with the JDK's HTTP client, blocking the calling thread (the
 * launcher is a CLI; every caller is one of its own threads). An answer is sorted into success,
 * {@link Refused} (the server said no: retrying will not help) or {@link Unavailable} (no answer,
 * 5xx or 429: retry later).
 */
final class ServerHttp {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private final String server;
  private final String authorization;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT)
          .build();

  ServerHttp(String server, String apiKey) {
    this.server = server;
    this.authorization = apiKey == null ? null : "Bearer " + apiKey;
  }

  /** The server said no (4xx other than 429). */
  static final class Refused extends Exception {
    final int status;

    Refused(int status, String message) {
      super("HTTP " + status + ": " + message);
      this.status = status;
    }
  }

  /** No usable answer: connection failed, timed out, 5xx or 429. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  JsonNode post(String path, Object body) throws Refused, Unavailable, InterruptedException {
    return call(
        request(path, CALL_TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))));
  }

  /** A GET that may park on the server for up to {@code parked} (a long-poll). */
  JsonNode get(String path, Duration parked) throws Refused, Unavailable, InterruptedException {
    return call(request(path, parked.plus(CALL_TIMEOUT)).GET());
  }

  String server() {
    return server;
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server + path))
            .timeout(timeout)
            .header("Content-Type", "application/json");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  private JsonNode call(HttpRequest.Builder request)
      throws Refused, Unavailable, InterruptedException {
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new Unavailable("server unreachable: " + e);
    }
    int status = response.statusCode();
    if (status >= 500 || status == 429) {
      throw new Unavailable("server answered HTTP " + status);
    }
    JsonNode body = parse(response.body());
    if (status >= 400) {
      throw new Refused(status, body.path("error").path("message").asText("(no message)"));
    }
    return body;
  }

  private static JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? Json.object() : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return Json.object(); // ingest answers a window id as plain text
    }
  }
}
