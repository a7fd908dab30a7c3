package io.vizrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Keep-alive HTTP/1.1 POSTs to 127.0.0.1 over at most {@code connections} connections, like the
 * visdom client's {@code requests.Session}, with its headers. With {@code pipelineDepth > 1}
 * requests are pipelined on each connection.
 */
final class HttpPoster implements AutoCloseable {
  /** What a POST returned. */
  record Reply(int status, String body) {
    boolean ok() {
      return status == 200;
    }
  }

  /** A request with no byte received for this long fails (so no loop can hang). */
  static final long REQUEST_IDLE_TIMEOUT_MS = 30_000;

  // the headers of the visdom client's requests session: a server that compressed every answer
  // for it (it accepts gzip) went unnoticed while the bench sent none
  private static final CharSequence USER_AGENT =
      HttpHeaders.createOptimized("python-requests/2.31.0");
  private static final CharSequence ACCEPT_ENCODING = HttpHeaders.createOptimized("gzip, deflate");
  private static final CharSequence ACCEPT = HttpHeaders.createOptimized("*/*");

  private final HttpClientAgent client;
  private final int port;

  HttpPoster(Vertx vertx, int port, int connections, int pipelineDepth) {
    this.port = port;
    HttpClientOptions options =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setPipelining(pipelineDepth > 1)
            .setPipeliningLimit(Math.max(1, pipelineDepth));
    this.client =
        vertx
            .httpClientBuilder()
            .with(options)
            .with(new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1))
            .build();
  }

  Future<Reply> post(String path, Buffer body) {
    RequestOptions req =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(path)
            .setIdleTimeout(REQUEST_IDLE_TIMEOUT_MS)
            .setConnectTimeout(REQUEST_IDLE_TIMEOUT_MS)
            .putHeader(HttpHeaders.USER_AGENT, USER_AGENT)
            .putHeader(HttpHeaders.ACCEPT_ENCODING, ACCEPT_ENCODING)
            .putHeader(HttpHeaders.ACCEPT, ACCEPT);
    return client
        .request(req)
        .compose(r -> r.send(body))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())));
  }

  @Override
  public void close() {
    client.close();
  }
}
