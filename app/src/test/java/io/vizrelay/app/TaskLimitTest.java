package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 8: ingest into a new task id is held to the owner's task limit like a registration
 * (422 {@code LIMIT_EXCEEDED}, nothing stored), and what ingest stored is reachable by {@code
 * DELETE}.
 */
class TaskLimitTest extends EmbeddedServerTest {
  static final int LIMIT = 2;

  @Override
  Map<String, String> env() {
    return Map.of("VIZRELAY_MAX_TASKS_PER_USER", Integer.toString(LIMIT));
  }

  @Test
  void ingestIntoANewTaskPastTheOwnersLimitIs422AndStoresNothing() throws Exception {
    assertEquals(200, server.post("/task/alice-a/events", event("w")).status());
    assertEquals(200, server.post("/update", Frames.body("alice-b", "loss", 0, 0)).status());
    assertEquals(200, server.get("/api/tasks/alice-a").status(), "registered by its first write");

    for (TestServer.Response refused :
        new TestServer.Response[] {
          server.post("/task/alice-c/events", event("w")),
          server.post("/update", Frames.body("alice-c", "loss", 0, 0)),
          server.post("/env/main", "{\"task_id\":\"alice-c\"}"),
        }) {
      assertEquals(422, refused.status(), refused.body());
      assertEquals("LIMIT_EXCEEDED", code(refused), refused.body());
    }
    assertEquals(404, server.get("/api/tasks/alice-c").status(), "not registered");
    assertEquals(404, delete("alice-c"), "no data stored either: DELETE finds nothing");
    assertEquals(
        200, server.post("/task/alice-a/events", event("w2")).status(), "known tasks still write");
    assertEquals(
        200, server.post("/task/bob-a/events", event("w")).status(), "other users are not limited");

    assertEquals(204, delete("alice-a"));
    assertEquals(200, server.post("/task/alice-c/events", event("w")).status(), "room again");
    assertEquals(200, server.get("/api/tasks/alice-c").status());
  }

  @Test
  void whatIngestStoredIsReachableByDelete() throws Exception {
    assertEquals(200, server.post("/task/alice-d/events", event("w")).status());
    assertEquals(204, delete("alice-d"));
    assertEquals(404, delete("alice-d"), "neither the registry nor the store holds it");
    Browser b = server.browser("/socket?task_id=alice-d");
    JsonNode sync = b.await("sync", 10_000);
    assertEquals(0, sync.path("seq").asLong(), "the store forgot its frames: " + sync);
    TestServer.await(b.close());
    // the id is usable again, registered anew
    assertEquals(200, server.post("/task/alice-d/events", event("again")).status());
    assertEquals(200, server.get("/api/tasks/alice-d").status());
  }

  /**
   * A browser socket on a task id that does not exist yet (its owner may watch it) cannot create
   * the task past the limit with a command that writes ({@code save}, {@code layout_item_update}):
   * the commands are refused (counted as {@code LIMIT_EXCEEDED}) and nothing is stored.
   */
  @Test
  void aBrowserCommandCannotCreateATaskPastTheLimit() throws Exception {
    assertEquals(200, server.post("/task/alice-a/events", event("w")).status());
    assertEquals(200, server.post("/task/alice-b/events", event("w")).status());
    Browser b = server.browser("/socket?task_id=alice-c");
    b.await("register", 10_000);
    double before = limitErrors();
    b.send("{\"cmd\":\"save\",\"prev_eid\":\"main\",\"eid\":\"copy\"}");
    b.send(
        "{\"cmd\":\"layout_item_update\",\"eid\":\"main\",\"win\":\"w\","
            + "\"data\":{\"i\":\"w\",\"x\":1,\"y\":1,\"w\":2,\"h\":2}}");
    long deadline = System.currentTimeMillis() + 10_000;
    while (limitErrors() < before + 2) {
      assertTrue(
          System.currentTimeMillis() < deadline,
          "both browser commands were refused for the limit (LIMIT_EXCEEDED counted)");
      Thread.onSpinWait();
    }
    TestServer.await(b.close());
    assertEquals(404, server.get("/api/tasks/alice-c").status(), "not registered");
    Browser again = server.browser("/socket?task_id=alice-c");
    JsonNode sync = again.await("sync", 10_000);
    assertEquals(0, sync.path("seq").asLong(), "no frame stored: " + sync);
    TestServer.await(again.close());
  }

  private double limitErrors() throws Exception {
    TestServer.Response r = server.get("/metrics");
    assertEquals(200, r.status());
    return MetricsTest.parse(r.body())
        .getOrDefault("vizrelay_errors_total{code=\"LIMIT_EXCEEDED\"}", 0.0);
  }

  private int delete(String taskId) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/tasks/" + taskId))
            .DELETE()
            .build();
    return server.jdk.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static String code(TestServer.Response r) {
    return Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
        .path("error")
        .path("code")
        .asText();
  }

  private static String event(String win) {
    return AuthFixture.event(win);
  }
}
