package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.http.Compression;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * A client that accepts gzip, as the visdom client's {@code requests} session does, gets its small
 * replies as they are (compressing a 4-byte window id made it a 30-byte gzip stream, with a new
 * deflater per request) and large ones compressed.
 */
class HttpCompressionTest extends EmbeddedServerTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void aSmallIngestReplyIsNotCompressed() throws Exception {
    String body =
        "{\"task_id\":\"alice-gzip\",\"win\":\"loss\",\"eid\":\"main\",\"layout\":{},\"opts\":{},"
            + "\"data\":[{\"x\":[1],\"y\":[2],\"type\":\"scatter\",\"mode\":\"lines\"}]}";
    HttpResponse<byte[]> r =
        HTTP.send(
            visdomLike(HttpRequest.newBuilder(uri("/events")))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertNotCompressed(r);
    assertEquals("loss", new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void anErrorAnswerIsNotCompressed() throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            visdomLike(HttpRequest.newBuilder(uri("/update")))
                .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(400, r.statusCode());
    assertNotCompressed(r);
    assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("INVALID_JSON"));
  }

  /** No content coding, or the explicit {@code identity} (what clients read as none). */
  private static void assertNotCompressed(HttpResponse<byte[]> r) {
    Optional<String> coding = r.headers().firstValue("content-encoding");
    assertTrue(coding.isEmpty() || coding.get().equals("identity"), coding.toString());
  }

  @Test
  void aLargeAnswerIsStillCompressed() throws Exception {
    HttpResponse<byte[]> plain =
        HTTP.send(
            HttpRequest.newBuilder(uri("/static/js/app.js"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, plain.statusCode());
    assertTrue(
        plain.body().length > Compression.MIN_BYTES,
        "the page's script is larger than the threshold: " + plain.body().length);
    HttpResponse<byte[]> gzip =
        HTTP.send(
            visdomLike(HttpRequest.newBuilder(uri("/static/js/app.js"))).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, gzip.statusCode());
    assertEquals(Optional.of("gzip"), gzip.headers().firstValue("content-encoding"));
    assertTrue(gzip.body().length < plain.body().length);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
      assertArrayEquals(plain.body(), in.readAllBytes());
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** The headers a visdom client's {@code requests} session sends. */
  private static HttpRequest.Builder visdomLike(HttpRequest.Builder b) {
    return b.timeout(Duration.ofSeconds(20))
        .header("User-Agent", "python-requests/2.31.0")
        .header("Accept-Encoding", "gzip, deflate")
        .header("Accept", "*/*");
  }
}
