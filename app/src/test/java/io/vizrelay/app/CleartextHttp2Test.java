package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The server never switches a cleartext connection to HTTP/2 ({@code Upgrade: h2c}): behind a proxy
 * the upgrade would tunnel requests past the proxy's rules (h2c smuggling), and the JDK client,
 * which asks for it by default, once wedged its upgraded connection until the server's idle
 * timeout. A client that asks is answered in HTTP/1.1 on the same connection.
 */
class CleartextHttp2Test extends EmbeddedServerTest {
  static final String BODY =
      "{\"task_id\":\"alice-h2c\",\"win\":\"loss\",\"eid\":\"main\","
          + "\"data\":[{\"x\":[1],\"y\":[2],\"type\":\"scatter\",\"mode\":\"lines\"}]}";

  @Test
  void anUpgradeRequestIsAnsweredInHttp11AndItsBodyApplied() throws Exception {
    try (RawHttp raw = RawHttp.connect(server.port())) {
      raw.write(
          "POST /update HTTP/1.1\r\nHost: 127.0.0.1:"
              + server.port()
              + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
              + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: "
              + BODY.length()
              + "\r\n\r\n"
              + BODY);
      String head = raw.readHead();
      assertEquals(200, RawHttp.status(head), head);
      assertTrue(head.startsWith("HTTP/1.1 "), head);
      assertFalse(head.toLowerCase().contains("upgrade: h2c"), head);
    }
  }

  @Test
  void theJdkClientAskingForHttp2GetsHttp11AndEveryAnswer() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/update"))
                  .timeout(Duration.ofSeconds(20))
                  .POST(HttpRequest.BodyPublishers.ofString(BODY))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }
  }
}
