package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.embedded.EmbeddedTaskStore;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 4: {@code GET /api/tasks/{id}} says whether the task's plot state is in memory
 * ({@code hot}) and its size ({@code state_bytes}), follows it through an unload and the next load,
 * and never loads it itself.
 */
class TaskResidencyTest extends EmbeddedServerTest {
  static final String TASK = "alice-hot";

  @Test
  void hotAndStateBytesFollowUnloadAndLoad() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals(200, server.post("/update", Frames.body(TASK, "loss", i, i)).status());
    }
    JsonNode loaded = record();
    assertTrue(loaded.path("hot").isBoolean(), "hot is a boolean: " + loaded);
    assertTrue(loaded.path("state_bytes").isIntegralNumber(), "state_bytes is a number: " + loaded);
    assertTrue(loaded.path("hot").booleanValue(), "written just now: " + loaded);
    long hotBytes = loaded.path("state_bytes").asLong();
    assertTrue(hotBytes > 0, "a loaded task has state: " + loaded);

    assertTrue(TestServer.await(store().unload(TASK)), "the store unloaded it");
    JsonNode cold = record();
    assertFalse(cold.path("hot").booleanValue(), "unloaded: " + cold);
    assertEquals(0, cold.path("state_bytes").asLong(), "no state in memory: " + cold);
    assertFalse(record().path("hot").booleanValue(), "GET itself does not load the task");

    Browser b = server.browser("/socket?task_id=" + TASK);
    b.await("sync", 10_000); // a watcher's snapshot loads it
    JsonNode reloaded = record();
    assertTrue(reloaded.path("hot").booleanValue(), "loaded again: " + reloaded);
    assertTrue(reloaded.path("state_bytes").asLong() > 0, "its state counted again: " + reloaded);
    TestServer.await(b.close());
  }

  private EmbeddedTaskStore store() {
    return (EmbeddedTaskStore) server.server.store();
  }

  private JsonNode record() throws Exception {
    TestServer.Response r = server.get("/api/tasks/" + TASK);
    assertEquals(200, r.status(), r.body());
    return Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8));
  }
}
