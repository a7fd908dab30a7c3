package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.model.TaskStatusChange;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class TaskLifecycleTest {
  @TempDir Path dir;
  private Harness h;

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void registeredTaskIsRunningWithEveryField(Vertx vertx) {
    h = Harness.start(vertx, dir);
    Harness.Resp resp =
        h.post(
            "/api/tasks",
            Map.of(
                "task_id",
                "alice-mnist",
                "user_id",
                "alice",
                "project_id",
                "mnist",
                "kind",
                "eval",
                "pid",
                4242,
                "host",
                "gpu-7",
                "meta",
                Map.of("lr", 0.1)));

    assertEquals(201, resp.status());
    JsonNode task = h.get("/api/tasks/alice-mnist").json();
    assertEquals("alice", task.path("user_id").asText());
    assertEquals("mnist", task.path("project_id").asText());
    assertEquals("eval", task.path("kind").asText());
    assertEquals(4242, task.path("pid").asLong());
    assertEquals("gpu-7", task.path("host").asText());
    assertEquals("running", task.path("status").asText());
    assertEquals(0.1, task.path("meta").path("lr").asDouble());
    assertTrue(task.path("created_at").asLong() > 0);
    assertEquals(task.path("created_at").asLong(), task.path("started_at").asLong());
    assertTrue(task.path("finished_at").isNull());
    assertTrue(task.path("exit_code").isNull());
    assertFalse(task.path("stop_requested").asBoolean());
    assertFalse(task.path("auto_registered").asBoolean());
    assertEquals(0, task.path("last_seq").asLong());
    assertEquals(0, task.path("windows").asInt());
  }

  @Test
  void registeringTheSameTaskAgainKeepsOneTask(Vertx vertx) {
    h = Harness.start(vertx, dir);
    JsonNode first = h.register("alice-mnist", "alice", "mnist");
    Harness.Resp again =
        h.post(
            "/api/tasks",
            Map.of("task_id", "alice-mnist", "user_id", "alice", "project_id", "mnist"));

    assertEquals(200, again.status());
    assertEquals(first.path("created_at"), again.json().path("created_at"));
    assertEquals(first.path("started_at"), again.json().path("started_at"));
    assertEquals(1, h.get("/api/tasks?user_id=alice").json().path("total").asInt());
  }

  @Test
  void registrationWithoutUserFollowsTheTaskIdConvention(Vertx vertx) {
    h = Harness.start(vertx, dir);

    JsonNode task = h.post("/api/tasks", Map.of("task_id", "dave-speech-v2")).json();
    JsonNode plain = h.post("/api/tasks", Map.of("task_id", "nodash")).json();

    assertEquals("dave", task.path("user_id").asText());
    assertEquals("speech-v2", task.path("project_id").asText());
    assertEquals("train", task.path("kind").asText());
    assertEquals("carol", plain.path("user_id").asText());
    assertEquals("nodash", plain.path("project_id").asText());
  }

  @Test
  void aProjectGivenWithoutUserStillNamesTheProject(Vertx vertx) {
    h = Harness.start(vertx, dir);

    JsonNode task =
        h.post("/api/tasks", Map.of("task_id", "dave-speech-v2", "project_id", "asr")).json();

    assertEquals("dave", task.path("user_id").asText());
    assertEquals("asr", task.path("project_id").asText());
    assertEquals(
        400, h.post("/api/tasks", Map.of("task_id", "dave-x", "project_id", "no spaces")).status());
  }

  @Test
  void stoppableIsTheCurrentRunsRegistration(Vertx vertx) {
    h = Harness.start(vertx, dir);

    assertFalse(
        h.register("alice-mnist", "alice", "mnist").path("stoppable").asBoolean(),
        "default: Stop only asks");
    JsonNode launched =
        h.post(
                "/api/tasks",
                Map.of("task_id", "alice-mnist", "user_id", "alice", "stoppable", true))
            .json();
    assertTrue(launched.path("stoppable").asBoolean());
    assertTrue(
        h.post("/api/tasks/alice-mnist/heartbeat", null).json().path("stoppable").asBoolean(),
        "kept across changes");
    JsonNode plain =
        h.post("/api/tasks", Map.of("task_id", "alice-mnist", "user_id", "alice")).json();
    assertFalse(
        plain.path("stoppable").asBoolean(), "a registration without it says Stop only asks");
  }

  @Test
  void finishRecordsStatusExitCodeAndTime(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");

    Harness.Resp resp =
        h.post("/api/tasks/alice-mnist/finish", Map.of("status", "failed", "exit_code", 3));

    assertEquals(200, resp.status());
    assertEquals("failed", resp.json().path("status").asText());
    assertEquals(3, resp.json().path("exit_code").asInt());
    assertTrue(resp.json().path("finished_at").asLong() > 0);
    assertEquals(
        200,
        h.post("/api/tasks/alice-mnist/finish", Map.of("status", "failed", "exit_code", 3))
            .status());
  }

  @Test
  void finishedTaskRefusesAnotherOutcomeAndHeartbeats(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "succeeded", "exit_code", 0));
    JsonNode before = h.get("/api/tasks/alice-mnist").json();

    assertEquals(
        409,
        h.post("/api/tasks/alice-mnist/finish", Map.of("status", "failed", "exit_code", 1))
            .status());
    assertEquals(409, h.post("/api/tasks/alice-mnist/heartbeat", null).status());
    assertEquals(409, h.post("/api/tasks/alice-mnist/stop", null).status());
    assertEquals(before, h.get("/api/tasks/alice-mnist").json());
  }

  @Test
  void registeringAFinishedTaskStartsANewRun(Vertx vertx) {
    h = Harness.start(vertx, dir);
    JsonNode first = h.register("alice-mnist", "alice", "mnist");
    h.post("/api/tasks/alice-mnist/stop", null);
    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "stopped", "exit_code", 143));

    Harness.Resp again =
        h.post(
            "/api/tasks",
            Map.of("task_id", "alice-mnist", "user_id", "alice", "project_id", "mnist"));

    assertEquals(200, again.status());
    JsonNode run = again.json();
    assertEquals("running", run.path("status").asText());
    assertEquals(first.path("created_at"), run.path("created_at"));
    assertTrue(run.path("finished_at").isNull());
    assertTrue(run.path("exit_code").isNull());
    assertFalse(run.path("stop_requested").asBoolean());
  }

  @Test
  void silentTaskBecomesLostAndRunsAgainOnHeartbeat(Vertx vertx) throws Exception {
    h = Harness.startLosing(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    assertEquals(TaskStatus.RUNNING, h.nextStatus("alice-mnist").status());

    TaskStatusChange lost = h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.LOST, lost.status());
    assertEquals(TaskStatus.RUNNING, lost.previousStatus());
    assertEquals("lost", h.status("alice-mnist"));
    assertEquals(1, h.get("/api/tasks?user_id=alice&status=lost").json().path("total").asInt());

    assertEquals(
        "running", h.post("/api/tasks/alice-mnist/heartbeat", null).json().path("status").asText());
    TaskStatusChange back = h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.RUNNING, back.status());
    assertEquals(TaskStatus.LOST, back.previousStatus());
  }

  @Test
  void lostTaskCanStillFinish(Vertx vertx) throws Exception {
    h = Harness.startLosing(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.LOST, h.nextStatus("alice-mnist").status());

    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "failed", "exit_code", 137));

    TaskStatusChange finished = h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.FAILED, finished.status());
    assertEquals(TaskStatus.LOST, finished.previousStatus());
    assertEquals(137, finished.exitCode());
  }

  @Test
  void everyStatusChangeIsPublishedOnce(Vertx vertx) throws Exception {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    h.post("/api/tasks/alice-mnist/heartbeat", null);
    h.post("/api/tasks/alice-mnist/stop", null);
    h.post("/api/tasks/alice-mnist/stop", null);
    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "stopped", "exit_code", 143));

    TaskStatusChange registered = h.nextStatus("alice-mnist");
    assertNull(registered.previousStatus());
    assertEquals(TaskStatus.RUNNING, registered.status());
    assertEquals("alice", registered.userId());
    TaskStatusChange stopAsked = h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.RUNNING, stopAsked.status());
    assertTrue(stopAsked.stopRequested());
    TaskStatusChange stopped = h.nextStatus("alice-mnist");
    assertEquals(TaskStatus.STOPPED, stopped.status());
    assertEquals(143, stopped.exitCode());
    assertTrue(h.statusChanges.isEmpty(), () -> "unexpected extra changes " + h.statusChanges);
  }

  @Test
  void deleteRemovesTheTaskAndItsPlottedData(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    h.store.put("alice-mnist", 12, 3);

    assertEquals(204, h.delete("/api/tasks/alice-mnist").status());

    assertEquals(404, h.get("/api/tasks/alice-mnist").status());
    assertEquals(java.util.List.of("alice-mnist"), h.store.deleted);
    assertNull(h.store.stats.get("alice-mnist"));
    assertEquals(0, h.get("/api/tasks?user_id=alice").json().path("total").asInt());
  }
}
