package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.VertxExtension;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskGet;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.ingest.ActivityReporter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TASKS_SEEN consumer, fed by the real ingest ActivityReporter. Ingest resolves the task id of
 * each addressing mode (body {@code task_id}, {@code /task/<id>/} path, default task) before
 * reporting; these tests cover the ids each mode produces. End-to-end over HTTP ingest is in app.
 */
@ExtendWith(VertxExtension.class)
class AutoRegistrationTest {
  @TempDir Path dir;
  private Harness h;
  private ActivityReporter reporter;

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void bodyAddressedTaskIsRegisteredForTheUserInItsId(Vertx vertx) throws Exception {
    start(vertx);
    seen("alice-mnist", 5);

    assertEquals(TaskStatus.RUNNING, h.nextStatus("alice-mnist").status());
    JsonNode task = h.get("/api/tasks/alice-mnist").json();
    assertEquals("alice", task.path("user_id").asText());
    assertEquals("mnist", task.path("project_id").asText());
    assertEquals("train", task.path("kind").asText());
    assertTrue(task.path("auto_registered").asBoolean());
    assertEquals(5, task.path("last_seq").asLong());
    assertEquals(1, h.get("/api/tasks?user_id=alice&status=running").json().path("total").asInt());
  }

  @Test
  void pathAddressedTaskIsSplitAtItsFirstDash(Vertx vertx) throws Exception {
    start(vertx);
    seen("bob-cifar-10", 1);

    h.nextStatus("bob-cifar-10");
    JsonNode task = h.get("/api/tasks/bob-cifar-10").json();
    assertEquals("bob", task.path("user_id").asText());
    assertEquals("cifar-10", task.path("project_id").asText());
  }

  @Test
  void defaultTaskBelongsToThePrincipal(Vertx vertx) throws Exception {
    start(vertx);
    seen(h.config.defaultTask(), 1);

    h.nextStatus("default");
    JsonNode task = h.get("/api/tasks/default").json();
    assertEquals("carol", task.path("user_id").asText());
    assertEquals("default", task.path("project_id").asText());
    assertEquals(1, h.get("/api/tasks").json().path("total").asInt());
  }

  @Test
  void laterEventsMoveLastSeqAndWindowsWithoutNewStatus(Vertx vertx) throws Exception {
    start(vertx);
    seen("alice-mnist", 3);
    h.nextStatus("alice-mnist");
    h.store.put("alice-mnist", 9, 4);

    seen("alice-mnist", 9);

    Harness.eventually(
        "last_seq 9", () -> h.get("/api/tasks/alice-mnist").json().path("last_seq").asLong() == 9);
    assertEquals(4, h.get("/api/tasks/alice-mnist").json().path("windows").asInt());
    assertTrue(h.statusChanges.isEmpty());
  }

  @Test
  void lostTaskRunsAgainWhenEventsResume(Vertx vertx) throws Exception {
    h = Harness.startLosing(vertx, dir);
    reporter = new ActivityReporter(vertx);
    seen("alice-mnist", 1);
    h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.LOST, h.nextStatus("alice-mnist").status());

    seen("alice-mnist", 2);

    assertEquals(TaskStatus.RUNNING, h.nextStatus("alice-mnist").status());
    assertEquals(2, h.get("/api/tasks/alice-mnist").json().path("last_seq").asLong());
  }

  @Test
  void finishedTaskStaysFinishedWhenLateEventsArrive(Vertx vertx) throws Exception {
    start(vertx);
    h.register("alice-mnist", "alice", "mnist");
    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "succeeded", "exit_code", 0));

    seen("alice-mnist", 7);

    Harness.eventually(
        "last_seq 7", () -> h.get("/api/tasks/alice-mnist").json().path("last_seq").asLong() == 7);
    assertEquals("succeeded", h.status("alice-mnist"));
  }

  @Test
  void theJobsRegistrationTakesOverAGuessedOwner(Vertx vertx) throws Exception {
    start(vertx);
    seen("john-doe-x", 1);
    h.nextStatus("john-doe-x");
    assertEquals("john", h.get("/api/tasks/john-doe-x").json().path("user_id").asText());

    Harness.Resp resp =
        h.post(
            "/api/tasks",
            Map.of("task_id", "john-doe-x", "user_id", "john-doe", "project_id", "x"));

    assertEquals(200, resp.status());
    assertEquals("john-doe", resp.json().path("user_id").asText());
    assertEquals(false, resp.json().path("auto_registered").asBoolean());
    assertEquals(0, h.get("/api/tasks?user_id=john").json().path("total").asInt());
    assertEquals(1, h.get("/api/tasks?user_id=john-doe").json().path("total").asInt());
  }

  @Test
  void malformedBatchesAreIgnored(Vertx vertx) throws Exception {
    start(vertx);
    vertx.eventBus().publish(Addresses.TASKS_SEEN, Buffer.buffer("{not json"));
    vertx
        .eventBus()
        .publish(
            Addresses.TASKS_SEEN,
            Buffer.buffer("{\"tasks\":[{\"task_id\":\"../etc\",\"last_seq\":1}]}"));
    seen("alice-mnist", 1);

    assertEquals("alice-mnist", h.statusChanges.poll(10, TimeUnit.SECONDS).taskId());
    assertTrue(h.statusChanges.isEmpty());
  }

  @Test
  void otherServicesGetATaskOverTheBus(Vertx vertx) throws Exception {
    start(vertx);
    h.register("alice-mnist", "alice", "mnist");

    Buffer reply =
        vertx
            .eventBus()
            .<Buffer>request(
                Addresses.TASK_GET, Buffer.buffer(Json.bytes(new TaskGet("alice-mnist"))))
            .await()
            .body();
    ReplyException missing =
        assertThrows(
            ReplyException.class,
            () ->
                vertx
                    .eventBus()
                    .request(Addresses.TASK_GET, Buffer.buffer(Json.bytes(new TaskGet("nobody-x"))))
                    .await());

    TaskRecord task = Bodies.decodeTrusted(reply.getBytes(), TaskRecord.class);
    assertEquals("alice", task.userId());
    assertEquals(TaskStatus.RUNNING, task.status());
    assertEquals(404, missing.failureCode());
  }

  private void start(Vertx vertx) {
    h = Harness.start(vertx, dir);
    reporter = new ActivityReporter(vertx);
  }

  /** One ingest event of {@code taskId} up to {@code seq}, reported as ingest reports it. */
  private void seen(String taskId, long seq) {
    reporter.seen(taskId, seq, 1);
    reporter.flush();
  }
}
