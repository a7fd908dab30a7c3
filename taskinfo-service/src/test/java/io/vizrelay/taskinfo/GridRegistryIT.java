package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.cluster.ClusterConfig;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.model.TaskStatusChange;
import io.vizrelay.ingest.IngestVerticle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two taskinfo replicas and one ingest node, three clustered Vert.x nodes with Hazelcast on
 * 127.0.0.1: the registry is one, whichever replica is asked. A task registered, shared or deleted
 * through one replica is seen so through the other; a stop asked on one releases a control poll
 * parked on the other; ingest events auto-register a task once; lost detection runs on both
 * replicas yet reports a task lost once; the per-user limit counts every replica's tasks; and the
 * registry outlives a member killed without warning. The last test kills a member, so order
 * matters.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GridRegistryIT {
  private static final int MAX_TASKS = 3;
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static TestGrid grid;
  static final List<ClusterNode> nodes = new ArrayList<>();
  static final List<TaskinfoVerticle> replicas = new ArrayList<>();
  static final Queue<TaskStatusChange> statusHeard = new ConcurrentLinkedQueue<>();
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static int a;
  static int b;
  static int ingest;

  @BeforeAll
  static void startCluster() throws Exception {
    grid = new TestGrid(3);
    TaskinfoConfig limits =
        TaskinfoConfig.defaults()
            .withMaxTasksPerUser(MAX_TASKS)
            .withLostCheck(Duration.ofMillis(100));
    for (int i = 0; i < 2; i++) {
      nodes.add(
          start(
              i,
              List.of(
                  node -> {
                    TaskinfoVerticle v = TaskinfoVerticle.clustered(node, limits);
                    replicas.add(v);
                    return v;
                  })));
    }
    nodes.add(
        start(2, List.of(node -> new IngestVerticle(node.config(), node.store(), node.router()))));
    a = nodes.get(0).port();
    b = nodes.get(1).port();
    ingest = nodes.get(2).port();
    TestGrid.awaitSize(nodes.get(0).hazelcast(), 3);
    nodes
        .get(2)
        .vertx()
        .eventBus()
        .<Buffer>consumer(
            Addresses.TASK_STATUS,
            m -> statusHeard.add(Json.read(m.body().getBytes(), TaskStatusChange.class)))
        .completion()
        .await(10, TimeUnit.SECONDS);
  }

  private static ClusterNode start(int index, List<ClusterNode.Service> services) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(grid.env(index));
    env.put("VIZRELAY_HOST", "127.0.0.1");
    env.put("VIZRELAY_PORT", "0");
    env.put("VIZRELAY_DATA_DIR", dir.resolve("node" + index).toString());
    env.put("VIZRELAY_USER", "carol");
    env.put("VIZRELAY_LOST_AFTER_SECONDS", "1");
    env.put("VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS", "10");
    return ClusterNode.start(VizConfig.fromEnv(env), ClusterConfig.fromEnv(env), services)
        .await(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    Exception failed = null;
    for (ClusterNode n : nodes) {
      try {
        n.stop().await(30, TimeUnit.SECONDS);
      } catch (Exception e) { // stop every node, then report the first failure
        failed = failed == null ? e : failed;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  @Test
  @Order(1)
  void aTaskRegisteredSharedAndDeletedOnOneReplicaIsSoOnTheOther() throws Exception {
    assertEquals(
        201,
        post(
                a,
                "/api/tasks",
                "{\"task_id\":\"alice-one\",\"user_id\":\"alice\",\"meta\":{\"lr\":0.1}}")
            .status());
    Resp fromB = get(b, "/api/tasks/alice-one");
    assertEquals(200, fromB.status());
    assertEquals("alice", fromB.json().path("user_id").asText());
    assertEquals(0.1, fromB.json().path("meta").path("lr").asDouble());
    assertEquals(
        200,
        post(b, "/api/tasks", "{\"task_id\":\"alice-one\",\"user_id\":\"alice\"}").status(),
        "registering again on the other replica refreshes the same task");
    assertEquals(List.of("alice-one"), ids(get(a, "/api/tasks?user_id=alice")));

    assertEquals(200, put(b, "/api/tasks/alice-one/shared_with", "{\"users\":[\"bob\"]}").status());
    assertEquals(List.of("alice-one"), ids(get(a, "/api/tasks?user_id=bob&scope=shared")));

    assertEquals(204, delete(a, "/api/tasks/alice-one").status());
    assertEquals(404, get(b, "/api/tasks/alice-one").status());
    assertEquals(List.of(), ids(get(b, "/api/tasks?user_id=bob&scope=shared")));
  }

  @Test
  @Order(2)
  void aStopAskedOnOneReplicaReleasesThePollParkedOnTheOther() throws Exception {
    assertEquals(
        201, post(a, "/api/tasks", "{\"task_id\":\"alice-stop\",\"user_id\":\"alice\"}").status());
    CompletableFuture<Resp> poll = sendAsync(a, "/api/tasks/alice-stop/control?timeout=60");
    eventually(
        "the poll is parked on replica A",
        () -> replicas.get(0).waitingControls("alice-stop") == 1);
    assertEquals(200, post(b, "/api/tasks/alice-stop/stop", "{}").status());
    Resp answer =
        poll.get(DEADLINE.toSeconds(), TimeUnit.SECONDS); // well before the poll's own 60 s
    assertEquals(200, answer.status());
    assertTrue(answer.json().path("stop").asBoolean(), answer.toString());

    Resp again =
        sendAsync(b, "/api/tasks/alice-stop/control?timeout=60")
            .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertTrue(
        again.json().path("stop").asBoolean(),
        "the other replica answers a stopped task at once: " + again);
  }

  @Test
  @Order(3)
  void aDeleteOnOneReplicaAnswersThePollParkedOnTheOtherWith404() throws Exception {
    assertEquals(
        201, post(a, "/api/tasks", "{\"task_id\":\"alice-del\",\"user_id\":\"alice\"}").status());
    CompletableFuture<Resp> poll = sendAsync(b, "/api/tasks/alice-del/control?timeout=60");
    eventually(
        "the poll is parked on replica B", () -> replicas.get(1).waitingControls("alice-del") == 1);
    assertEquals(204, delete(a, "/api/tasks/alice-del").status());
    Resp answer = poll.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(404, answer.status());
    assertEquals("TASK_NOT_FOUND", answer.json().path("error").path("code").asText());
  }

  @Test
  @Order(4)
  void ingestEventsRegisterTheTaskOnceAndBothReplicasSeeItsSeq() throws Exception {
    for (int i = 1; i <= 20; i++) {
      assertEquals(200, post(ingest, "/update", point("dave-mnist", i)).status());
    }
    eventually(
        "both replicas see seq 20",
        () -> lastSeq(a, "dave-mnist") == 20 && lastSeq(b, "dave-mnist") == 20);
    JsonNode task = get(b, "/api/tasks/dave-mnist").json();
    assertEquals("dave", task.path("user_id").asText());
    assertTrue(task.path("auto_registered").asBoolean());
    assertEquals(
        1,
        statusHeard.stream()
            .filter(c -> c.taskId().equals("dave-mnist") && c.previousStatus() == null)
            .count(),
        "registered once: " + statusHeard);
  }

  @Test
  @Order(5)
  void aSilentTaskBecomesLostOnceThoughBothReplicasCheck() throws Exception {
    assertEquals(
        201, post(b, "/api/tasks", "{\"task_id\":\"erin-quiet\",\"user_id\":\"erin\"}").status());
    eventually("the silent task is lost", () -> "lost".equals(status(a, "erin-quiet")));
    assertEquals(200, post(a, "/api/tasks/erin-quiet/heartbeat", "{}").status());
    eventually(
        "the heartbeat's notification arrived",
        () ->
            statusHeard.stream()
                .anyMatch(
                    c ->
                        c.taskId().equals("erin-quiet")
                            && c.status() == TaskStatus.RUNNING
                            && c.previousStatus() == TaskStatus.LOST));
    assertEquals(
        1,
        statusHeard.stream()
            .filter(c -> c.taskId().equals("erin-quiet") && c.status() == TaskStatus.LOST)
            .count(),
        "lost reported once: " + statusHeard);
  }

  @Test
  @Order(6)
  void thePerUserLimitCountsTheTasksOfEveryReplica() throws Exception {
    assertEquals(
        201, post(a, "/api/tasks", "{\"task_id\":\"fay-1\",\"user_id\":\"fay\"}").status());
    assertEquals(
        201, post(b, "/api/tasks", "{\"task_id\":\"fay-2\",\"user_id\":\"fay\"}").status());
    assertEquals(
        201, post(a, "/api/tasks", "{\"task_id\":\"fay-3\",\"user_id\":\"fay\"}").status());
    Resp over = post(b, "/api/tasks", "{\"task_id\":\"fay-4\",\"user_id\":\"fay\"}");
    assertEquals(422, over.status());
    assertEquals("LIMIT_EXCEEDED", over.json().path("error").path("code").asText());
    assertEquals(3, get(b, "/api/tasks?user_id=fay").json().path("total").asInt());
  }

  @Test
  @Order(7)
  void theRegistryOutlivesAMemberKilledWithoutWarning() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "gus" + (i / 2) + "-t" + i; // two tasks per user: under the limit
      assertEquals(
          201, post(i % 2 == 0 ? a : b, "/api/tasks", "{\"task_id\":\"" + id + "\"}").status());
      ids.add(id);
    }
    // the ingest node owns about a third of the partitions; it goes without leaving the cluster
    nodes.get(2).hazelcast().getLifecycleService().terminate();
    TestGrid.awaitSize(nodes.get(0).hazelcast(), 2);
    TestGrid.awaitSize(nodes.get(1).hazelcast(), 2);
    for (String id : ids) {
      for (int port : List.of(a, b)) {
        eventually(
            id + " readable on " + port,
            () -> {
              try {
                return get(port, "/api/tasks/" + id).status() == 200;
              } catch (Exception e) {
                return false;
              }
            });
      }
    }
    assertEquals(
        List.of("gus7-t14", "gus7-t15"),
        ids(get(b, "/api/tasks?user_id=gus7")).stream().sorted().toList());
  }

  // ---- helpers ----

  record Resp(int status, String body) {
    JsonNode json() {
      return Json.parseTrusted(body.getBytes());
    }
  }

  private static long lastSeq(int port, String task) {
    try {
      Resp r = get(port, "/api/tasks/" + task);
      return r.status() == 200 ? r.json().path("last_seq").asLong() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static String status(int port, String task) {
    try {
      return get(port, "/api/tasks/" + task).json().path("status").asText();
    } catch (Exception e) {
      return null;
    }
  }

  private static List<String> ids(Resp list) {
    List<String> ids = new ArrayList<>();
    list.json().path("tasks").forEach(t -> ids.add(t.path("task_id").asText()));
    return ids;
  }

  private static String point(String task, int i) {
    return "{\"task_id\":\""
        + task
        + "\",\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":["
        + i
        + "],\"y\":["
        + i
        + "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},\"opts\":{},\"name\":\"train\","
        + "\"append\":true}";
  }

  private static HttpRequest.Builder request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(90))
        .header("content-type", "application/json");
  }

  private static Resp send(HttpRequest request) throws Exception {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Resp(r.statusCode(), r.body());
  }

  private static CompletableFuture<Resp> sendAsync(int port, String path) {
    return http.sendAsync(request(port, path).GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Resp(r.statusCode(), r.body()));
  }

  private static Resp get(int port, String path) throws Exception {
    return send(request(port, path).GET().build());
  }

  private static Resp post(int port, String path, String body) throws Exception {
    return send(request(port, path).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static Resp put(int port, String path, String body) throws Exception {
    return send(request(port, path).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static Resp delete(int port, String path) throws Exception {
    return send(request(port, path).DELETE().build());
  }

  private static void eventually(String what, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + DEADLINE + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
