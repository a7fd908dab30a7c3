package io.vizrelay.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vizrelay.common.config.VizConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** An embedded server on port 0 in a temp dir, plus an HTTP client for tests. */
final class TestServer implements AutoCloseable {
  final Vertx vertx;
  final EmbeddedServer server;
  final HttpClient http;
  final io.vertx.core.http.WebSocketClient wsClient;

  private TestServer(Vertx vertx, EmbeddedServer server) {
    this.vertx = vertx;
    this.server = server;
    this.http = vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    this.wsClient = Browser.client(vertx);
  }

  static TestServer start(Path dataDir) throws Exception {
    return start(dataDir, Map.of());
  }

  static TestServer start(Path dataDir, Map<String, String> env) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putIfAbsent("VIZRELAY_PORT", "0");
    all.putIfAbsent("VIZRELAY_DATA_DIR", dataDir.toString());
    all.putIfAbsent("VIZRELAY_FSYNC", "batch");
    Vertx vertx = Vertx.vertx();
    EmbeddedServer server = await(EmbeddedServer.start(vertx, VizConfig.fromEnv(all)));
    return new TestServer(vertx, server);
  }

  int port() {
    return server.port();
  }

  /** POSTs a body as the visdom client does (no content type); returns status and body. */
  Response post(String path, String body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(port()).setURI(path);
    return await(http.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString()))));
  }

  Response get(String path) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(port()).setURI(path);
    return await(http.request(options)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString()))));
  }

  Browser browser(String uri) throws Exception {
    return await(Browser.connect(wsClient, port(), uri));
  }

  record Response(int status, String body) {}

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    await(server.stop());
    await(vertx.close());
  }
}
