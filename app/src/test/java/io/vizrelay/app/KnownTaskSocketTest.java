package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code /socket?task_id=...&known=1} (what the page asks): a task that has no stored state and is
 * not in the registry is refused with 404 before the upgrade; a registered task with nothing stored
 * yet, or a task with stored state, is accepted. Without {@code known=1} a client may still
 * subscribe to a task before its job starts.
 */
class KnownTaskSocketTest extends EmbeddedServerTest {

  @Test
  void anUnknownTaskIsRefusedOnlyWhenTheClientAsks() throws Exception {
    TestServer.Response refused = server.get("/socket?task_id=demo-ghost&known=1");
    assertEquals(404, refused.status(), refused.body());
    JsonNode error =
        Json.parseTrusted(refused.body().getBytes(StandardCharsets.UTF_8)).path("error");
    assertEquals("TASK_NOT_FOUND", error.path("code").asText(), refused.body());
    assertTrue(error.path("message").asText().contains("demo-ghost"), refused.body());

    Browser early = server.browser("/socket?task_id=demo-ghost");
    early.await("layout", 5000);
    assertEquals(
        1, early.frames("sync").size(), "without known=1 the socket opens for a task to come");
  }

  @Test
  void aRegisteredTaskWithNothingStoredIsKnown() throws Exception {
    TestServer.Response registered = server.post("/api/tasks", "{\"task_id\":\"demo-planned\"}");
    assertTrue(registered.status() == 200 || registered.status() == 201, registered.body());
    Browser browser = server.browser("/socket?task_id=demo-planned&known=1");
    browser.await("layout", 5000);
    assertEquals(1, browser.frames("sync").size());
  }

  @Test
  void aTaskWithStoredStateIsKnown() throws Exception {
    String body =
        "{\"data\": [{\"x\": [1.0], \"y\": [2.0], \"name\": \"1\", \"type\": \"scatter\", \"mode\": \"lines\"}],"
            + " \"win\": \"w\", \"eid\": \"main\", \"layout\": {\"title\": \"w\"}, \"opts\": {}, \"task_id\": \"demo-stored\"}";
    TestServer.Response r = server.post("/events", body);
    assertEquals(200, r.status(), r.body());
    Browser browser = server.browser("/socket?task_id=demo-stored&known=1");
    browser.await("layout", 5000);
    assertEquals(1, browser.frames("window").size(), "the stored window is sent");
  }

  @Test
  void aPlainRequestForAKnownTaskIsA400NotAServerError() throws Exception {
    TestServer.Response stored =
        server.post(
            "/events",
            "{\"data\": [{\"x\": [1.0], \"y\": [2.0], \"type\": \"scatter\"}], \"win\": \"w\","
                + " \"eid\": \"main\", \"layout\": {}, \"opts\": {}, \"task_id\": \"demo-plain\"}");
    assertEquals(200, stored.status(), stored.body());
    // what the page asks over HTTP when its socket closed before opening: not a handshake
    TestServer.Response r = server.get("/socket?task_id=demo-plain&known=1");
    assertEquals(400, r.status(), r.body());
    assertEquals(
        "BAD_REQUEST",
        Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
            .path("error")
            .path("code")
            .asText(),
        r.body());
  }

  @Test
  void aMalformedIdIsStillA400() throws Exception {
    TestServer.Response r = server.get("/socket?task_id=bad%20id!&known=1");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("INVALID_TASK_ID"), r.body());
  }
}
