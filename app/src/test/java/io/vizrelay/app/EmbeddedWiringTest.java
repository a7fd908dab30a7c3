package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The three services wired in one process: ingest auto-registers tasks in taskinfo in every
 * addressing mode, status changes reach the task's browsers, and the Python client's {@code
 * /vis_socket} is greeted and receives the task's browser events.
 */
class EmbeddedWiringTest extends EmbeddedServerTest {

  @Test
  void ingestRegistersTheTaskInEveryAddressingMode() throws Exception {
    assertEquals(200, server.post("/task/alice-path/events", textBody("a", null)).status());
    assertEquals(200, server.post("/events", textBody("b", "alice-body")).status());
    assertEquals(200, server.post("/events", textBody("c", null)).status());
    for (String[] expected :
        List.of(
            new String[] {"alice-path", "alice"},
            new String[] {"alice-body", "alice"},
            new String[] {"default", "demo"})) {
      // registered at the first write (the task limit is checked there); last_seq follows in the
      // once-a-second heartbeat batch
      JsonNode task = awaitTask(expected[0], t -> t.path("last_seq").asLong() >= 1);
      assertEquals(expected[1], task.path("user_id").asText(), task.toString());
      assertEquals("running", task.path("status").asText());
    }
  }

  @Test
  void aStatusChangeReachesTheTasksBrowsersOnly() throws Exception {
    assertEquals(200, server.post("/events", textBody("a", "alice-status")).status());
    assertEquals(200, server.post("/events", textBody("a", "bob-other")).status());
    awaitTask("alice-status");
    awaitTask("bob-other");
    Browser alice = server.browser("/socket?task_id=alice-status");
    Browser bob = server.browser("/socket?task_id=bob-other");
    alice.await("layout", 5000);
    bob.await("layout", 5000);
    assertEquals(200, server.post("/api/tasks/alice-status/stop", "{}").status());
    JsonNode status = alice.await("task_status", 10_000);
    assertEquals("alice-status", status.path("task_id").asText());
    assertTrue(status.path("stop_requested").asBoolean());
    TestServer.await(bob.barrier());
    assertTrue(bob.frames("task_status").isEmpty(), "bob's browser hears nothing of alice's task");
  }

  @Test
  void thePythonClientSocketIsGreetedAndGetsTheTasksBrowserEvents() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    // the handler is set before the handshake: the greeting may come in the same read as the 101
    TestServer.await(
        server
            .wsClient
            .webSocket()
            .textMessageHandler(got::add)
            .connect(
                new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(server.port())
                    .setURI("/task/alice-vis/vis_socket")));
    assertEquals(200, server.post("/task/alice-vis/events", textBody("note", null)).status());
    Browser browser = server.browser("/socket?task_id=alice-vis");
    browser.await("layout", 5000);
    browser.send(
        "{\"cmd\":\"forward_to_vis\",\"data\":{\"target\":\"note\",\"eid\":\"main\",\"event_type\":\"KeyPress\",\"key\":\"a\"}}");
    long deadline = System.currentTimeMillis() + 10_000;
    while (got.size() < 2 && System.currentTimeMillis() < deadline) {
      TestServer.await(browser.barrier());
    }
    assertEquals("{\"command\":\"alive\",\"data\":\"vis_alive\"}", got.get(0));
    JsonNode event = Json.parseTrusted(got.get(1).getBytes(StandardCharsets.UTF_8));
    assertEquals("KeyPress", event.path("event_type").asText());
    assertEquals(
        "note", event.path("pane_data").path("id").asText(), "pane_data carries the window");
  }

  private JsonNode awaitTask(String id) throws Exception {
    return awaitTask(id, t -> true);
  }

  private JsonNode awaitTask(String id, java.util.function.Predicate<JsonNode> until)
      throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      TestServer.Response r = server.get("/api/tasks/" + id);
      if (r.status() == 200) {
        last = Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8));
        if (until.test(last)) {
          return last;
        }
      }
      Thread.sleep(50); // heartbeats are batched once a second; poll the API with a deadline
    }
    throw new AssertionError("task " + id + " not as expected within 10 s: " + last);
  }

  private static String textBody(String win, String taskId) {
    return "{\"data\":[{\"content\":\"hi\",\"type\":\"text\"}],\"win\":\""
        + win
        + "\",\"eid\":\"main\",\"opts\":{}"
        + (taskId == null ? "" : ",\"task_id\":\"" + taskId + "\"")
        + "}";
  }
}
