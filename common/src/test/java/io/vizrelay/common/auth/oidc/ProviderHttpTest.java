package io.vizrelay.common.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider calls against a real local HTTP server: JSON and form POSTs answered, and what a
 * provider must not get away with refused with a message naming the URL — a non-2xx, a body that is
 * not a JSON object, and a body over {@link ProviderHttp#MAX_BYTES}, announced or chunked.
 */
class ProviderHttpTest {
  Vertx vertx;
  HttpServer server;
  String base;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1"));
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private void answer(HttpServerRequest req) {
    switch (req.path()) {
      case "/doc" -> req.response().end("{\"issuer\":\"x\"}");
      case "/form" -> req.body().onSuccess(b -> req.response().end(echo(req, b)));
      case "/status" -> req.response().setStatusCode(500).end("boom");
      case "/text" -> req.response().end("<html>");
      case "/big" -> req.response().end(Buffer.buffer(spaces(ProviderHttp.MAX_BYTES + 1)));
      case "/chunked" -> {
        req.response().setChunked(true);
        for (int i = 0; i < 3; i++) {
          req.response().write(Buffer.buffer(spaces(ProviderHttp.MAX_BYTES / 2)));
        }
        // and never ends: only a reader that stops at the limit answers (else the call times out)
      }
      default -> req.response().setStatusCode(404).end();
    }
  }

  private static String echo(HttpServerRequest req, Buffer body) {
    return new JsonObject()
        .put("form", body.toString())
        .put("auth", req.getHeader("Authorization"))
        .encode();
  }

  static byte[] spaces(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) ' ');
    return b;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static String refusal(Future<JsonObject> call) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(call));
    assertTrue(e.getCause() instanceof ProviderHttp.ProviderException, e.toString());
    return e.getCause().getMessage();
  }

  @Test
  void answersJsonAndForms() throws Exception {
    ProviderHttp http = new ProviderHttp(vertx);
    assertEquals("x", await(http.getJson(base + "/doc")).getString("issuer"));
    JsonObject echo = await(http.postForm(base + "/form", Map.of("a b", "c&d"), "Basic xyz"));
    assertEquals("a+b=c%26d", echo.getString("form"));
    assertEquals("Basic xyz", echo.getString("auth"));
  }

  @Test
  void refusesWhatIsNotASmallJsonDocument() {
    ProviderHttp http = new ProviderHttp(vertx);
    String status = refusal(http.getJson(base + "/status"));
    assertTrue(status.contains("/status answered HTTP 500: boom"), status);
    assertTrue(refusal(http.getJson(base + "/text")).contains("did not answer a JSON object"));
    assertTrue(refusal(http.getJson(base + "/big")).contains("larger than"));
    assertTrue(refusal(http.getJson(base + "/chunked")).contains("larger than"));
    String down = refusal(http.getJson("http://127.0.0.1:1/doc"));
    assertTrue(down.startsWith("http://127.0.0.1:1/doc: "), down);
  }
}
