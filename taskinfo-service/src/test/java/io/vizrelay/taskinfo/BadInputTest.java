package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class BadInputTest {
  @TempDir Path dir;
  private Harness h;

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void unknownTaskIs404OnEveryRoute(Vertx vertx) {
    h = Harness.start(vertx, dir);
    List<Harness.Resp> answers =
        List.of(
            h.get("/api/tasks/nobody-x"),
            h.delete("/api/tasks/nobody-x"),
            h.post("/api/tasks/nobody-x/heartbeat", null),
            h.post("/api/tasks/nobody-x/finish", Map.of("status", "succeeded")),
            h.post("/api/tasks/nobody-x/stop", null),
            h.get("/api/tasks/nobody-x/control?timeout=0"));

    for (Harness.Resp resp : answers) {
      assertEquals(404, resp.status(), resp::toString);
      assertEquals("TASK_NOT_FOUND", resp.errorCode());
    }
    assertTrue(h.store.deleted.isEmpty());
  }

  @Test
  void invalidRegistrationsAre400AndRegisterNothing(Vertx vertx) {
    h = Harness.start(vertx, dir);
    assertError(400, "INVALID_JSON", h.post("/api/tasks", "{not json"));
    assertError(400, "INVALID_JSON", h.post("/api/tasks", "[1,2]"));
    assertError(400, "INVALID_TASK_ID", h.post("/api/tasks", Map.of("user_id", "alice")));
    assertError(400, "INVALID_TASK_ID", h.post("/api/tasks", Map.of("task_id", "-bad/id")));
    assertError(400, "INVALID_FIELD", register(Map.of("kind", "finetune")));
    assertError(400, "INVALID_FIELD", register(Map.of("pid", -1)));
    assertError(400, "INVALID_FIELD", register(Map.of("pid", "abc")));
    assertError(400, "INVALID_FIELD", register(Map.of("user_id", "al ice")));
    assertError(400, "INVALID_FIELD", register(Map.of("meta", List.of(1, 2))));
    assertError(400, "INVALID_FIELD", register(Map.of("host", "h".repeat(256))));

    assertEquals(0, h.get("/api/tasks?user_id=alice&status=all").json().path("total").asInt());
  }

  @Test
  void oversizedMetaIs413(Vertx vertx) {
    h = Harness.start(vertx, dir);
    String big = "x".repeat(TaskinfoConfig.DEFAULT_MAX_META_BYTES);

    assertError(413, "PAYLOAD_TOO_LARGE", register(Map.of("meta", Map.of("notes", big))));
    assertError(
        413, "PAYLOAD_TOO_LARGE", register(Map.of("meta", Map.of("notes", "y".repeat(100_000)))));
    assertEquals(404, h.get("/api/tasks/alice-mnist").status());
  }

  @Test
  void invalidQueriesAre400(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    for (String query :
        List.of("status=dead", "limit=0", "limit=501", "limit=ten", "offset=-1", "user_id=a%20b")) {
      assertError(400, "INVALID_FIELD", h.get("/api/tasks?" + query));
    }
    assertError(400, "INVALID_FIELD", h.get("/api/tasks/alice-mnist/control?timeout=61"));
    assertError(400, "INVALID_FIELD", h.get("/api/tasks/alice-mnist/control?timeout=-1"));
  }

  @Test
  void invalidFinishIs400AndLeavesTheTaskRunning(Vertx vertx) {
    h = Harness.start(vertx, dir);
    JsonNode before = h.register("alice-mnist", "alice", "mnist");

    assertError(
        400, "INVALID_FIELD", h.post("/api/tasks/alice-mnist/finish", Map.of("status", "running")));
    assertError(
        400,
        "INVALID_FIELD",
        h.post("/api/tasks/alice-mnist/finish", Map.of("status", "exploded")));
    assertError(
        400, "INVALID_FIELD", h.post("/api/tasks/alice-mnist/finish", Map.of("exit_code", 0)));
    assertError(
        400,
        "INVALID_FIELD",
        h.post("/api/tasks/alice-mnist/finish", Map.of("status", "failed", "exit_code", "x")));
    assertError(400, "INVALID_JSON", h.post("/api/tasks/alice-mnist/finish", null));

    assertEquals(before, Harness.recordOf(h.get("/api/tasks/alice-mnist").json()));
  }

  @Test
  void anotherUsersTaskIdIsAConflictAndStaysTheirs(Vertx vertx) {
    h = Harness.start(vertx, dir);
    JsonNode before = h.register("shared-id", "alice", "mnist");

    assertError(
        409, "CONFLICT", h.post("/api/tasks", Map.of("task_id", "shared-id", "user_id", "bob")));

    assertEquals(before, Harness.recordOf(h.get("/api/tasks/shared-id").json()));
    assertEquals(0, h.get("/api/tasks?user_id=bob").json().path("total").asInt());
  }

  @Test
  void registrationsBeyondTheUsersLimitAre422(Vertx vertx) {
    h =
        Harness.start(
            vertx,
            dir,
            TaskinfoConfig.defaults().withMaxTasksPerUser(2),
            java.time.Duration.ofSeconds(60));
    h.register("alice-1", "alice", "p");
    h.register("alice-2", "alice", "p");

    assertError(
        422,
        "LIMIT_EXCEEDED",
        h.post("/api/tasks", Map.of("task_id", "alice-3", "user_id", "alice")));
    assertEquals(
        200,
        h.post("/api/tasks", Map.of("task_id", "alice-2", "user_id", "alice", "project_id", "p"))
            .status());
    h.register("bob-1", "bob", "p");
    assertEquals(2, h.get("/api/tasks?user_id=alice").json().path("total").asInt());
  }

  @Test
  void malformedTaskIdInPathIs400(Vertx vertx) {
    h = Harness.start(vertx, dir);
    assertError(
        400, "INVALID_TASK_ID", h.call(HttpMethod.GET, "/api/tasks/" + "a".repeat(129), null));
    assertError(400, "INVALID_TASK_ID", h.call(HttpMethod.POST, "/api/tasks/.hidden/stop", null));
  }

  private Harness.Resp register(Map<String, Object> fields) {
    Map<String, Object> body =
        new java.util.HashMap<>(Map.of("task_id", "alice-mnist", "user_id", "alice"));
    body.putAll(fields);
    return h.post("/api/tasks", body);
  }

  private static void assertError(int status, String code, Harness.Resp resp) {
    assertEquals(status, resp.status(), resp::toString);
    assertEquals(code, resp.errorCode(), resp::toString);
    assertTrue(resp.json().path("error").path("message").isTextual());
  }
}
