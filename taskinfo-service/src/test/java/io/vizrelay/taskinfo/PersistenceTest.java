package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.model.TasksSeen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class PersistenceTest {
  @TempDir Path dir;

  @Test
  void theRegistrySurvivesARestart(Vertx vertx) throws Exception {
    Harness first = Harness.start(vertx, dir);
    first.post(
        "/api/tasks",
        Map.of(
            "task_id",
            "alice-mnist",
            "user_id",
            "alice",
            "project_id",
            "mnist",
            "kind",
            "test",
            "pid",
            17,
            "host",
            "gpu-1",
            "meta",
            Map.of("epochs", 10)));
    first.register("alice-cifar", "alice", "cifar");
    first.post("/api/tasks/alice-cifar/stop", null);
    first.register("bob-mnist", "bob", "mnist");
    first.post("/api/tasks/bob-mnist/finish", Map.of("status", "failed", "exit_code", 2));
    first.store.put("dave-auto", 41, 2);
    vertx
        .eventBus()
        .publish(
            Addresses.TASKS_SEEN,
            Buffer.buffer(
                Json.bytes(
                    new TasksSeen(
                        List.of(
                            new TaskSeen("dave-auto", System.currentTimeMillis(), 41, -1, 41))))));
    first.nextStatus("dave-auto");
    Harness.eventually(
        "auto-registration stored",
        () -> first.get("/api/tasks/dave-auto").json().path("windows").asInt() == 2);
    Map<String, JsonNode> before =
        records(first, "alice-mnist", "alice-cifar", "bob-mnist", "dave-auto");
    first.close();

    Harness second = Harness.start(vertx, dir);
    try {
      assertEquals(before, records(second, "alice-mnist", "alice-cifar", "bob-mnist", "dave-auto"));
      assertEquals(2, second.get("/api/tasks?user_id=alice").json().path("total").asInt());
      assertTrue(Files.exists(dir.resolve(TaskDb.FILE)));
    } finally {
      second.close();
    }
  }

  @Test
  void anAcknowledgedChangeIsAlreadyInTheDatabase(Vertx vertx) throws Exception {
    Harness h = Harness.start(vertx, dir);
    try {
      h.register("alice-mnist", "alice", "mnist");
      h.post("/api/tasks/alice-mnist/finish", Map.of("status", "succeeded", "exit_code", 0));

      JsonNode stored = Json.parseTrusted(storedRecord("alice-mnist").getBytes());
      assertEquals("succeeded", stored.path("status").asText());
      assertEquals(Harness.recordOf(h.get("/api/tasks/alice-mnist").json()), stored);
    } finally {
      h.close();
    }
  }

  @Test
  void aDeletedTaskStaysDeletedAfterARestart(Vertx vertx) {
    Harness first = Harness.start(vertx, dir);
    first.register("alice-mnist", "alice", "mnist");
    first.delete("/api/tasks/alice-mnist");
    first.close();

    Harness second = Harness.start(vertx, dir);
    try {
      assertEquals(404, second.get("/api/tasks/alice-mnist").status());
    } finally {
      second.close();
    }
  }

  @Test
  void sharingSurvivesARestart(Vertx vertx) throws Exception {
    Harness first = Harness.start(vertx, dir);
    first.register("alice-mnist", "alice", "mnist");
    Harness.Resp shared =
        first.call(
            HttpMethod.PUT,
            "/api/tasks/alice-mnist/shared_with",
            Map.of("users", List.of("bob", "dave")));
    assertEquals(200, shared.status(), () -> shared.toString());
    assertEquals("[\"bob\",\"dave\"]", storedColumn("alice-mnist", "shared_with"));
    first.close();

    Harness second = Harness.start(vertx, dir);
    try {
      assertEquals(
          List.of("bob", "dave"),
          strings(second.get("/api/tasks/alice-mnist").json().path("shared_with")));
      JsonNode page = second.get("/api/tasks?user_id=dave&scope=shared").json();
      assertEquals(1, page.path("total").asInt(), page.toString());
      assertEquals(
          0, second.get("/api/tasks?user_id=dave").json().path("total").asInt(), "not dave's own");
      assertEquals(
          200,
          second
              .call(
                  HttpMethod.PUT, "/api/tasks/alice-mnist/shared_with", Map.of("users", List.of()))
              .status());
    } finally {
      second.close();
    }
    Harness third = Harness.start(vertx, dir);
    try {
      assertEquals(
          List.of(), strings(third.get("/api/tasks/alice-mnist").json().path("shared_with")));
      assertEquals(
          0, third.get("/api/tasks?user_id=dave&scope=shared").json().path("total").asInt());
    } finally {
      third.close();
    }
  }

  /**
   * A taskinfo.db written before sharing existed (no shared_with column, records without the
   * field).
   */
  @Test
  void aDatabaseWithoutTheSharedWithColumnIsMigrated(Vertx vertx) throws Exception {
    TaskRecord old =
        new TaskRecord(
            "alice-old",
            "alice",
            "old",
            TaskKind.TRAIN,
            7L,
            "gpu-0",
            TaskStatus.SUCCEEDED,
            1000,
            1000,
            2000,
            2000L,
            0,
            false,
            false,
            null,
            12,
            3);
    com.fasterxml.jackson.databind.node.ObjectNode json = Json.MAPPER.valueToTree(old);
    json.remove("shared_with");
    Files.createDirectories(dir);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TaskDb.FILE));
        java.sql.Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE tasks(task_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, record TEXT NOT NULL)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO tasks VALUES(?, ?, ?)")) {
        ps.setString(1, "alice-old");
        ps.setString(2, "alice");
        ps.setString(3, json.toString());
        ps.executeUpdate();
      }
    }

    Harness first = Harness.start(vertx, dir);
    try {
      JsonNode loaded = first.get("/api/tasks/alice-old").json();
      assertEquals(List.of(), strings(loaded.path("shared_with")));
      assertEquals("succeeded", loaded.path("status").asText());
      assertEquals(12, loaded.path("last_seq").asInt());
      assertTrue(columns().contains("shared_with"), "the column was added");
      assertEquals(
          "[]", storedColumn("alice-old", "shared_with"), "existing rows default to nobody");
      assertEquals(
          200,
          first
              .call(
                  HttpMethod.PUT,
                  "/api/tasks/alice-old/shared_with",
                  Map.of("users", List.of("bob")))
              .status());
    } finally {
      first.close();
    }
    Harness second = Harness.start(vertx, dir);
    try {
      assertEquals(
          List.of("bob"), strings(second.get("/api/tasks/alice-old").json().path("shared_with")));
      assertEquals(
          1, second.get("/api/tasks?user_id=bob&scope=shared").json().path("total").asInt());
    } finally {
      second.close();
    }
  }

  private static List<String> strings(JsonNode array) {
    assertTrue(array.isArray(), () -> "an array: " + array);
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private List<String> columns() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TaskDb.FILE));
        java.sql.Statement st = c.createStatement()) {
      return TaskDb.columns(st, "tasks");
    }
  }

  private String storedColumn(String taskId, String column) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TaskDb.FILE));
        PreparedStatement ps =
            c.prepareStatement("SELECT " + column + " FROM tasks WHERE task_id = ?")) {
      ps.setString(1, taskId);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "row of " + taskId);
        return rs.getString(1);
      }
    }
  }

  private static Map<String, JsonNode> records(Harness h, String... ids) {
    Map<String, JsonNode> records = new java.util.TreeMap<>();
    for (String id : ids) {
      records.put(id, h.get("/api/tasks/" + id).json());
    }
    return records;
  }

  /** Reads the row with a separate connection, as a restarted process would. */
  private String storedRecord(String taskId) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(TaskDb.FILE));
        PreparedStatement ps = c.prepareStatement("SELECT record FROM tasks WHERE task_id = ?")) {
      ps.setString(1, taskId);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "row of " + taskId);
        return rs.getString(1);
      }
    }
  }
}
