package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class TaskListTest {
  @TempDir Path dir;
  private Harness h;

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aUsersListNeverHoldsAnotherUsersTasks(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-mnist", "alice", "mnist");
    h.register("alice-cifar", "alice", "cifar");
    h.register("bob-mnist", "bob", "mnist");
    h.register("alicex-mnist", "alicex", "mnist");

    for (String status : List.of("all", "running", "finished", "lost")) {
      for (JsonNode task :
          h.get("/api/tasks?user_id=alice&status=" + status).json().path("tasks")) {
        assertEquals("alice", task.path("user_id").asText(), status);
      }
    }
    assertEquals(
        List.of("alice-cifar", "alice-mnist"),
        ids("/api/tasks?user_id=alice").stream().sorted().toList());
    assertEquals(List.of("bob-mnist"), ids("/api/tasks?user_id=bob"));
    assertEquals(List.of(), ids("/api/tasks?user_id=mallory"));
  }

  @Test
  void statusAndProjectFiltersSelectTasks(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("alice-a", "alice", "mnist");
    awaitNextMillisecond();
    h.register("alice-b", "alice", "mnist");
    awaitNextMillisecond();
    h.register("alice-c", "alice", "cifar");
    h.post("/api/tasks/alice-b/finish", Map.of("status", "succeeded", "exit_code", 0));

    assertEquals(List.of("alice-c", "alice-a"), ids("/api/tasks?user_id=alice&status=running"));
    assertEquals(List.of("alice-b"), ids("/api/tasks?user_id=alice&status=finished"));
    assertEquals(List.of(), ids("/api/tasks?user_id=alice&status=lost"));
    assertEquals(
        List.of("alice-a", "alice-b"), ids("/api/tasks?user_id=alice&project_id=mnist&status=all"));
    assertEquals(List.of("alice-c", "alice-a", "alice-b"), ids("/api/tasks?user_id=alice"));
    assertEquals(
        List.of("alice-a"), ids("/api/tasks?user_id=alice&project_id=mnist&status=running"));
  }

  @Test
  void runningTasksComeFirstThenTheNewest(Vertx vertx) {
    h = Harness.start(vertx, dir);
    for (String id : List.of("alice-1", "alice-2", "alice-3", "alice-4")) {
      h.register(id, "alice", "p");
      awaitNextMillisecond();
    }
    h.post("/api/tasks/alice-4/finish", Map.of("status", "succeeded"));
    h.post("/api/tasks/alice-1/finish", Map.of("status", "failed"));

    assertEquals(
        List.of("alice-3", "alice-2", "alice-4", "alice-1"), ids("/api/tasks?user_id=alice"));
  }

  @Test
  void pagesCarryTotalLimitAndOffset(Vertx vertx) {
    h = Harness.start(vertx, dir);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      h.register("alice-" + i, "alice", "p");
      all.add(0, "alice-" + i);
      awaitNextMillisecond();
    }

    JsonNode page = h.get("/api/tasks?user_id=alice&limit=3&offset=3").json();

    assertEquals(7, page.path("total").asInt());
    assertEquals(3, page.path("limit").asInt());
    assertEquals(3, page.path("offset").asInt());
    assertEquals(all.subList(3, 6), ids("/api/tasks?user_id=alice&limit=3&offset=3"));
    assertEquals(List.of("alice-0"), ids("/api/tasks?user_id=alice&limit=3&offset=6"));
    assertEquals(List.of(), ids("/api/tasks?user_id=alice&limit=3&offset=70"));
    assertEquals(
        ListQuery.DEFAULT_LIMIT, h.get("/api/tasks?user_id=alice").json().path("limit").asInt());
  }

  @Test
  void listWithoutUserShowsThePrincipalsTasks(Vertx vertx) {
    h = Harness.start(vertx, dir);
    h.register("carol-x", "carol", "x");
    h.register("bob-x", "bob", "x");

    assertEquals(List.of("carol-x"), ids("/api/tasks"));
  }

  private List<String> ids(String uri) {
    List<String> ids = new ArrayList<>();
    h.get(uri).json().path("tasks").forEach(t -> ids.add(t.path("task_id").asText()));
    return ids;
  }

  /** Start times are epoch millis: make the next registration strictly newer. */
  private static void awaitNextMillisecond() {
    long now = System.currentTimeMillis();
    while (System.currentTimeMillis() == now) {
      Thread.onSpinWait();
    }
  }
}
