package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class StopControlTest {
  @TempDir Path dir;
  private Harness h;

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aWaitingControlRequestReturnsWhenTheStopIsAsked(Vertx vertx) throws Exception {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    Future<Harness.Resp> control =
        h.send(HttpMethod.GET, "/api/tasks/alice-mnist/control?timeout=60", null);
    Harness.eventually(
        "control request parked", () -> h.verticle.waitingControls("alice-mnist") == 1);
    assertFalse(control.isComplete());

    Harness.Resp stop = h.post("/api/tasks/alice-mnist/stop", null);

    assertEquals(200, stop.status());
    assertTrue(stop.json().path("stop_requested").asBoolean());
    Harness.Resp answer = control.await(10, TimeUnit.SECONDS);
    assertEquals(200, answer.status());
    assertTrue(answer.json().path("stop").asBoolean());
    assertEquals("running", answer.json().path("status").asText());
    assertEquals(0, h.verticle.waitingControls("alice-mnist"));
  }

  @Test
  void controlAnswersAtOnceWhenAStopIsAlreadyRequested(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    h.post("/api/tasks/alice-mnist/stop", null);

    long start = System.nanoTime();
    Harness.Resp answer = h.get("/api/tasks/alice-mnist/control?timeout=60");

    assertTrue(answer.json().path("stop").asBoolean());
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30),
        "answered at once, not at the timeout");
  }

  @Test
  void controlTimesOutWithoutAStop(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");

    Harness.Resp answer = h.get("/api/tasks/alice-mnist/control?timeout=1");

    assertEquals(200, answer.status());
    assertFalse(answer.json().path("stop").asBoolean());
    assertEquals("alice-mnist", answer.json().path("task_id").asText());
    assertEquals(0, h.verticle.waitingControls("alice-mnist"));
  }

  @Test
  void aZeroTimeoutPollsWithoutWaiting(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");

    Harness.Resp answer = h.get("/api/tasks/alice-mnist/control?timeout=0");

    assertFalse(answer.json().path("stop").asBoolean());
    assertEquals("running", answer.json().path("status").asText());
  }

  @Test
  void stopRoundTripEndsInStopped(Vertx vertx) throws Exception {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    Future<Harness.Resp> control = h.send(HttpMethod.GET, "/api/tasks/alice-mnist/control", null);
    Harness.eventually(
        "control request parked", () -> h.verticle.waitingControls("alice-mnist") == 1);

    h.post("/api/tasks/alice-mnist/stop", null);
    assertTrue(control.await(10, TimeUnit.SECONDS).json().path("stop").asBoolean());
    assertEquals("running", h.status("alice-mnist"));
    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "stopped", "exit_code", 143));

    assertEquals("stopped", h.status("alice-mnist"));
    JsonNode task = h.get("/api/tasks/alice-mnist").json();
    assertEquals(143, task.path("exit_code").asInt());
    assertTrue(
        task.path("stop_requested").asBoolean(), "the record keeps that a person stopped it");
    Harness.Resp after = h.get("/api/tasks/alice-mnist/control?timeout=60");
    assertEquals("stopped", after.json().path("status").asText());
  }

  @Test
  void aFinishAnswersAWaitingControlRequest(Vertx vertx) throws Exception {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    Future<Harness.Resp> control =
        h.send(HttpMethod.GET, "/api/tasks/alice-mnist/control?timeout=60", null);
    Harness.eventually(
        "control request parked", () -> h.verticle.waitingControls("alice-mnist") == 1);

    h.post("/api/tasks/alice-mnist/finish", Map.of("status", "succeeded", "exit_code", 0));

    assertEquals("succeeded", control.await(10, TimeUnit.SECONDS).json().path("status").asText());
  }

  @Test
  void deletingATaskAnswersItsWaitingControlRequestsWith404(Vertx vertx) throws Exception {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    Future<Harness.Resp> control =
        h.send(HttpMethod.GET, "/api/tasks/alice-mnist/control?timeout=60", null);
    Harness.eventually(
        "control request parked", () -> h.verticle.waitingControls("alice-mnist") == 1);

    h.delete("/api/tasks/alice-mnist");

    assertEquals(404, control.await(10, TimeUnit.SECONDS).status());
  }
}
