package io.vizrelay.common.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Which answers go compressed to a client that accepts gzip or deflate (the servers support both,
 * {@code ServerOptions}): not the small ones. The visdom client's {@code requests} session accepts
 * gzip, and Netty compresses whatever the client accepts: each 4-byte {@code /update} answer became
 * a 30-byte gzip stream made by a new deflater. Below about a kilobyte compression saves nothing
 * worth its CPU. (Netty's size threshold cannot do this here: it also skips streamed answers, the
 * page's scripts among them, whose head carries no body.)
 */
public final class Compression {
  /** Answers shorter than this are sent as they are. */
  public static final int MIN_BYTES = 1024;

  private Compression() {}

  /** Sends the answer of {@code length} characters uncompressed when it is small. */
  public static HttpServerResponse skipIfSmall(HttpServerResponse response, int length) {
    if (length < MIN_BYTES) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
    }
    return response;
  }
}
