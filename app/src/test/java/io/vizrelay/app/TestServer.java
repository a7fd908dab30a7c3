package io.vizrelay.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An embedded server on port 0 in a temp dir, plus clients. Ingest calls use the JDK's HTTP client:
 * a Vert.x 5.0.7 HttpClient driven from a test thread while the same Vertx churned WebSocket
 * clients occasionally never sent a request (the server provably never saw it).
 */
final class TestServer implements AutoCloseable {
  final Vertx vertx;
  final EmbeddedServer server;

  /** The JDK's own client for ingest calls, independent of the server's Vert.x. */
  final java.net.http.HttpClient jdk =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .build();

  final io.vertx.core.http.WebSocketClient wsClient;

  private TestServer(Vertx vertx, EmbeddedServer server) {
    this.vertx = vertx;
    this.server = server;
    this.wsClient = Browser.client(vertx);
  }

  static TestServer start(Path dataDir) throws Exception {
    return start(dataDir, Map.of());
  }

  static TestServer start(Path dataDir, Map<String, String> env) throws Exception {
    return start(dataDir, env, Vertx.vertx());
  }

  /** As {@link Main} runs it: a Vert.x built with its own meters in the server's registry. */
  static TestServer startWithVertxMetrics(Path dataDir) throws Exception {
    io.vizrelay.common.metrics.Metrics metrics = io.vizrelay.common.metrics.Metrics.create();
    Vertx vertx = metrics.vertxBuilder(new io.vertx.core.VertxOptions()).build();
    metrics.install(vertx);
    return start(dataDir, Map.of(), vertx);
  }

  private static TestServer start(Path dataDir, Map<String, String> env, Vertx vertx)
      throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putIfAbsent("VIZRELAY_PORT", "0");
    all.putIfAbsent("VIZRELAY_DATA_DIR", dataDir.toString());
    all.putIfAbsent("VIZRELAY_FSYNC", "batch");
    eventLoops(all);
    EmbeddedServer server = await(EmbeddedServer.start(vertx, all));
    return new TestServer(vertx, server);
  }

  /**
   * {@code -Dvizrelay.test.eventLoops=N} runs the test servers with {@code VIZRELAY_EVENT_LOOPS=N}
   * (unless the test sets it); without it, the default (one per core).
   */
  static void eventLoops(Map<String, String> env) {
    String loops = System.getProperty("vizrelay.test.eventLoops");
    if (loops != null && !loops.isBlank()) {
      env.putIfAbsent("VIZRELAY_EVENT_LOOPS", loops.trim());
    }
  }

  int port() {
    return server.port();
  }

  /** POSTs a body as the visdom client does (no content type); returns status and body. */
  Response post(String path, String body) throws Exception {
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port() + path))
            .timeout(java.time.Duration.ofSeconds(30))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build();
    java.net.http.HttpResponse<String> response =
        jdk.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body());
  }

  Response get(String path) throws Exception {
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port() + path))
            .timeout(java.time.Duration.ofSeconds(30))
            .GET()
            .build();
    java.net.http.HttpResponse<String> response =
        jdk.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body());
  }

  Browser browser(String uri) throws Exception {
    return await(Browser.connect(wsClient, port(), uri));
  }

  record Response(int status, String body) {}

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println(threadDump());
      throw e;
    }
  }

  /** All threads' stacks, printed when a test times out, to show where it is stuck. */
  static String threadDump() {
    StringBuilder sb = new StringBuilder("=== thread dump on timeout ===\n");
    for (java.lang.management.ThreadInfo t :
        java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      sb.append('"')
          .append(t.getThreadName())
          .append("\" ")
          .append(t.getThreadState())
          .append('\n');
      for (StackTraceElement el : t.getStackTrace()) {
        sb.append("    at ").append(el).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws Exception {
    await(server.stop());
    await(vertx.close());
  }
}
