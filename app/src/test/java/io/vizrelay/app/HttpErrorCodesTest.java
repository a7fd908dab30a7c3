package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12 item 1: errors Vert.x raises by itself get their own codes end to end ({@code
 * ErrorCode.forStatus}): a known path with another method is 405 {@code METHOD_NOT_ALLOWED}, an
 * unknown path 404 {@code NOT_FOUND} (never {@code ENV_NOT_FOUND}), a request the router cannot
 * decode 400 {@code BAD_REQUEST} (never {@code INVALID_JSON}); always the JSON error shape.
 */
class HttpErrorCodesTest extends EmbeddedServerTest {

  @ParameterizedTest(name = "{0} {1} -> {2} {3}")
  @CsvSource({
    "PUT, /update, 405, METHOD_NOT_ALLOWED",
    "GET, /events, 405, METHOD_NOT_ALLOWED",
    "DELETE, /task/alice-x/update, 405, METHOD_NOT_ALLOWED",
    "PATCH, /api/tasks, 405, METHOD_NOT_ALLOWED",
    "PUT, /api/tasks/alice-x/stop, 405, METHOD_NOT_ALLOWED",
    "POST, /api/tasks/alice-x/shared_with, 405, METHOD_NOT_ALLOWED",
    "DELETE, /api/tasks/alice-x/control, 405, METHOD_NOT_ALLOWED",
    "GET, /no/such/path, 404, NOT_FOUND",
    "POST, /task/alice-x/no_such_endpoint, 404, NOT_FOUND",
    "GET, /api/tasks/alice-x/nothing-here, 404, NOT_FOUND",
  })
  void frameworkErrorsHaveTheirOwnCodes(String method, String path, int status, String code)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json")
            .build();
    HttpResponse<String> r = server.jdk.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(status, r.statusCode(), r.body());
    assertErrorJson(code, r.body(), r.headers().firstValue("Content-Type").orElse(""));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"GET /api/tasks/%zz HTTP/1.1", "GET /api/tasks?user_id=%zz HTTP/1.1"})
  void aRequestTheRouterCannotDecodeIsBadRequest(String requestLine) throws Exception {
    try (RawHttp c = RawHttp.connect(server.port())) {
      c.write(
          requestLine + "\r\nHost: 127.0.0.1:" + server.port() + "\r\nConnection: close\r\n\r\n");
      String head = c.readHead();
      assertEquals(400, RawHttp.status(head), head);
      assertErrorJson("BAD_REQUEST", body(c.socket.getInputStream()), head.toLowerCase());
    }
  }

  private static void assertErrorJson(String code, String body, String contentType) {
    assertTrue(contentType.contains("application/json"), "JSON, not " + contentType);
    JsonNode error = Json.parseTrusted(body.getBytes(StandardCharsets.UTF_8)).path("error");
    assertEquals(code, error.path("code").asText(), body);
    assertTrue(error.path("message").asText().length() > 3, "a message for humans: " + body);
  }

  private static String body(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
