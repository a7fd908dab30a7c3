package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ErrorHandler;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskStatusChange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One deployed TaskinfoVerticle behind a real HTTP server on port 0, as the embedded app mounts it
 * (shared router, the common ErrorHandler as failure handler), plus a client and a recorder of
 * TASK_STATUS notifications.
 */
final class Harness {
  /** Upper bound for anything a test awaits. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Lost-after of {@link #startLosing}. */
  static final Duration SHORT_LOST_AFTER = Duration.ofMillis(300);

  final Vertx vertx;
  final VizConfig config;
  final FakeTaskStore store;
  final TaskinfoVerticle verticle;
  final Router router;
  final BlockingQueue<TaskStatusChange> statusChanges = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private final HttpClient client;
  private final Context clientContext;
  private final String deploymentId;

  /** An HTTP answer: status and parsed JSON body (null when empty). */
  record Resp(int status, JsonNode json) {
    String errorCode() {
      return json.path("error").path("code").asText();
    }
  }

  private Harness(Vertx vertx, VizConfig config, TaskinfoConfig limits, FakeTaskStore store) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.router = Router.router(vertx);
    router.route().failureHandler(new ErrorHandler());
    this.verticle = new TaskinfoVerticle(config, limits, store, router);
    vertx
        .eventBus()
        .<Buffer>consumer(
            Addresses.TASK_STATUS,
            m ->
                statusChanges.add(
                    Bodies.decodeTrusted(m.body().getBytes(), TaskStatusChange.class)));
    this.deploymentId = vertx.deployVerticle(verticle).await();
    this.server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    this.clientContext = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient();
  }

  /**
   * Default limits; tasks are lost after a minute (never within a test); principal {@code carol}.
   */
  static Harness start(Vertx vertx, Path dataDir) {
    return start(vertx, dataDir, TaskinfoConfig.defaults(), Duration.ofSeconds(60));
  }

  /** Tasks are lost after {@link #SHORT_LOST_AFTER}, checked every 20 ms. */
  static Harness startLosing(Vertx vertx, Path dataDir) {
    return start(
        vertx,
        dataDir,
        TaskinfoConfig.defaults().withLostCheck(Duration.ofMillis(20)),
        SHORT_LOST_AFTER);
  }

  static Harness start(Vertx vertx, Path dataDir, TaskinfoConfig limits, Duration lostAfter) {
    VizConfig config =
        VizConfig.fromEnv(Map.of("VIZRELAY_USER", "carol"))
            .withDataDir(dataDir)
            .withLostAfter(lostAfter);
    return new Harness(vertx, config, limits, new FakeTaskStore());
  }

  void close() {
    client.close().await();
    server.close().await();
    vertx.undeploy(deploymentId).await();
  }

  /**
   * Sends on the client's own event-loop context, so the response callbacks are attached before the
   * response can arrive (chained from the test thread, a fast body could be missed).
   */
  Future<Resp> send(HttpMethod method, String uri, String body) {
    Promise<Resp> answer = Promise.promise();
    clientContext.runOnContext(v -> exchange(method, uri, body).onComplete(answer));
    return answer.future();
  }

  private Future<Resp> exchange(HttpMethod method, String uri, String body) {
    return client
        .request(method, server.actualPort(), "127.0.0.1", uri)
        .compose(
            req -> {
              req.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
              return body == null ? req.send() : req.send(body);
            })
        .compose(
            resp ->
                resp.body()
                    .map(
                        b ->
                            new Resp(
                                resp.statusCode(),
                                b.length() == 0 ? null : Json.parseTrusted(b.getBytes()))));
  }

  Resp call(HttpMethod method, String uri, Object body) {
    String text = body == null || body instanceof String ? (String) body : Json.string(body);
    try {
      return send(method, uri, text).await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer to " + method + " " + uri + " within " + DEADLINE);
    }
  }

  Resp get(String uri) {
    return call(HttpMethod.GET, uri, null);
  }

  Resp post(String uri, Object body) {
    return call(HttpMethod.POST, uri, body);
  }

  Resp delete(String uri) {
    return call(HttpMethod.DELETE, uri, null);
  }

  /** Registers a task of {@code user}/{@code project}; asserts 201. */
  JsonNode register(String taskId, String user, String project) {
    Resp resp =
        post("/api/tasks", Map.of("task_id", taskId, "user_id", user, "project_id", project));
    assertTrue(resp.status() == 201, () -> "register " + taskId + ": " + resp);
    return resp.json();
  }

  String status(String taskId) {
    return get("/api/tasks/" + taskId).json().path("status").asText();
  }

  /** The next TASK_STATUS notification for {@code taskId} (others are skipped), or fail. */
  TaskStatusChange nextStatus(String taskId) throws InterruptedException {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < end) {
      TaskStatusChange change = statusChanges.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (change != null && change.taskId().equals(taskId)) {
        return change;
      }
    }
    throw new AssertionError("no status change for " + taskId + " within " + DEADLINE);
  }

  /** Polls {@code condition} until it holds, failing after {@link #DEADLINE}. */
  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + DEADLINE + ": " + what);
      }
      Thread.sleep(10);
    }
  }

  /**
   * A {@code GET /api/tasks/{id}} body without what only that endpoint adds ({@code hot}, {@code
   * state_bytes}).
   */
  static com.fasterxml.jackson.databind.JsonNode recordOf(
      com.fasterxml.jackson.databind.JsonNode body) {
    return ((com.fasterxml.jackson.databind.node.ObjectNode) body.deepCopy())
        .remove(java.util.List.of("hot", "state_bytes"));
  }
}
