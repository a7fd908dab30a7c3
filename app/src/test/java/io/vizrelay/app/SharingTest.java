package io.vizrelay.app;

import static io.vizrelay.app.AuthFixture.bearer;
import static io.vizrelay.app.AuthFixture.event;
import static io.vizrelay.app.AuthFixture.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.app.AuthFixture.Reply;
import io.vizrelay.app.AuthFixture.Upgrade;
import io.vizrelay.common.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only sharing (issue 7): alice shares her task with bob; bob lists it under {@code
 * scope=shared}, reads its record and watches it live on a read-only socket whose commands change
 * nothing; alice unshares and bob's open socket is closed, his next one refused.
 */
class SharingTest {
  static final String TASK = "alice-shared";

  @TempDir Path dir;
  AuthFixture fx;
  String alice;
  String bob;

  @BeforeEach
  void start() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    alice = bearer(token("alice"));
    bob = bearer(token("bob"));
    assertEquals(
        201,
        fx.post("/api/tasks", "{\"task_id\":\"" + TASK + "\"}", "Authorization", alice).status());
    assertEquals(
        200, fx.post("/task/" + TASK + "/events", event("loss"), "Authorization", alice).status());
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  static JsonNode json(Reply r) {
    return Json.parseTrusted(r.body().getBytes());
  }

  static JsonNode json(String frame) {
    return Json.parseTrusted(frame.getBytes());
  }

  static List<String> ids(Reply list) {
    return json(list).path("tasks").findValuesAsText("task_id");
  }

  static List<String> frames(Upgrade u) {
    synchronized (u.frames()) {
      return List.copyOf(u.frames());
    }
  }

  Reply share(String credential, String users) throws Exception {
    return fx.send(
        "PUT",
        "/api/tasks/" + TASK + "/shared_with",
        "{\"users\":" + users + "}",
        "Authorization",
        credential,
        "Content-Type",
        "application/json");
  }

  @Test
  void bobListsGetsAndWatchesASharedTaskReadOnlyUntilAliceUnshares() throws Exception {
    // before sharing: nothing for bob
    assertEquals(403, fx.socket("/socket?task_id=" + TASK, "Authorization", bob).status());
    assertEquals(List.of(), ids(fx.get("/api/tasks?scope=shared", "Authorization", bob)));

    Reply shared = share(alice, "[\"bob\",\"bob\",\"alice\",\"carol\"]");
    assertEquals(200, shared.status(), shared.body());
    assertEquals(
        List.of("bob", "carol"),
        Json.MAPPER.convertValue(json(shared).path("shared_with"), List.class),
        "duplicates and the owner are dropped");

    // bob lists it as shared (not among his own), and gets its record
    assertEquals(List.of(TASK), ids(fx.get("/api/tasks?scope=shared", "Authorization", bob)));
    assertEquals(List.of(), ids(fx.get("/api/tasks", "Authorization", bob)));
    assertEquals(List.of(TASK), ids(fx.get("/api/tasks?scope=own", "Authorization", alice)));
    assertEquals(List.of(), ids(fx.get("/api/tasks?scope=shared", "Authorization", alice)));
    Reply record = fx.get("/api/tasks/" + TASK, "Authorization", bob);
    assertEquals(200, record.status(), record.body());
    assertEquals("alice", json(record).path("user_id").asText());
    assertEquals(400, fx.get("/api/tasks?scope=everything", "Authorization", bob).status());

    // bob watches live, read-only; alice's browser is writable
    Upgrade aliceBrowser = fx.socket("/socket?task_id=" + TASK, "Authorization", alice);
    assertTrue(aliceBrowser.opened());
    assertTrue(json(aliceBrowser.await("\"register\"")).path("readonly").isBoolean());
    assertFalse(json(aliceBrowser.await("\"register\"")).path("readonly").booleanValue());
    Upgrade bobBrowser = fx.socket("/socket?task_id=" + TASK, "Authorization", bob);
    assertTrue(bobBrowser.opened(), "status " + bobBrowser.status());
    assertTrue(json(bobBrowser.await("\"register\"")).path("readonly").booleanValue());
    bobBrowser.await("\"loss\"");
    assertEquals(
        200, fx.post("/task/" + TASK + "/events", event("acc"), "Authorization", alice).status());
    bobBrowser.await("\"acc\"");

    // bob's state-changing commands change nothing
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"close\",\"eid\":\"main\",\"data\":\"loss\"}");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"delete_env\",\"eid\":\"main\"}");
    bobBrowser
        .ws()
        .writeTextMessage("{\"cmd\":\"save\",\"prev_eid\":\"main\",\"eid\":\"copy\",\"data\":{}}");
    TestServer.await(bobBrowser.barrier()); // bob's commands were read and dispatched
    assertEquals(
        200,
        fx.post("/task/" + TASK + "/events", event("marker"), "Authorization", alice).status());
    aliceBrowser.await("\"marker\"");
    assertFalse(
        frames(aliceBrowser).stream().anyMatch(f -> f.contains("\"command\":\"close\"")),
        "no close reached alice");
    Reply win =
        fx.post(
            "/task/" + TASK + "/win_data",
            "{\"eid\":\"main\",\"win\":\"loss\"}",
            "Authorization",
            alice);
    assertEquals(200, win.status(), "alice still has the window: " + win.body());
    Reply envs = fx.post("/task/" + TASK + "/env_state", "{}", "Authorization", alice);
    assertFalse(envs.body().contains("copy"), envs.body());

    // alice's own close works (the check above could see one)
    aliceBrowser.ws().writeTextMessage("{\"cmd\":\"close\",\"eid\":\"main\",\"data\":\"acc\"}");
    bobBrowser.await("\"command\":\"close\"");

    // bob may not write: stop, delete, finish, heartbeat, control, ingest, sharing
    assertEquals(403, fx.post("/api/tasks/" + TASK + "/stop", "{}", "Authorization", bob).status());
    assertEquals(403, fx.send("DELETE", "/api/tasks/" + TASK, null, "Authorization", bob).status());
    assertEquals(
        403, fx.post("/api/tasks/" + TASK + "/heartbeat", "{}", "Authorization", bob).status());
    assertEquals(
        403, fx.get("/api/tasks/" + TASK + "/control?timeout=0", "Authorization", bob).status());
    assertEquals(
        403, fx.post("/task/" + TASK + "/events", event("bob"), "Authorization", bob).status());
    assertEquals(403, share(bob, "[\"bob\",\"mallory\"]").status());

    // alice unshares: bob's open socket is closed, his next one refused, his list is empty
    assertEquals(200, share(alice, "[]").status());
    long deadline = System.currentTimeMillis() + 10_000;
    while (!bobBrowser.ws().isClosed() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(bobBrowser.ws().isClosed(), "bob's read-only socket is closed when alice unshares");
    assertEquals(403, fx.socket("/socket?task_id=" + TASK, "Authorization", bob).status());
    assertEquals(403, fx.get("/api/tasks/" + TASK, "Authorization", bob).status());
    assertEquals(List.of(), ids(fx.get("/api/tasks?scope=shared", "Authorization", bob)));
    assertFalse(aliceBrowser.ws().isClosed(), "alice's own browser stays");
    aliceBrowser.ws().close();
  }

  @Test
  void sharingIsValidatedAndOnlyForTheOwnerOrAnAdmin() throws Exception {
    assertEquals(400, share(alice, "[\"bad-name\"]").status(), "user names have no '-'");
    assertEquals(400, share(alice, "[\"\"]").status());
    assertEquals(400, share(alice, "[1]").status());
    assertEquals(400, share(alice, "\"bob\"").status());
    assertEquals(
        400,
        fx.send("PUT", "/api/tasks/" + TASK + "/shared_with", "{}", "Authorization", alice)
            .status());
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i <= io.vizrelay.common.auth.Authorizer.MAX_SHARED_WITH; i++) {
      many.append(i > 0 ? "," : "").append("\"u").append(i).append('"');
    }
    assertEquals(400, share(alice, many.append(']').toString()).status(), "more than the limit");
    assertEquals(403, share(bob, "[\"bob\"]").status(), "bob may not share alice's task");
    assertEquals(
        403,
        fx.send(
                "PUT",
                "/api/tasks/alice-unknown/shared_with",
                "{\"users\":[]}",
                "Authorization",
                bob)
            .status(),
        "refusal before 404");
    assertEquals(
        404,
        fx.send(
                "PUT",
                "/api/tasks/alice-unknown/shared_with",
                "{\"users\":[]}",
                "Authorization",
                alice)
            .status());
    assertEquals(
        403, share(bearer(fx.aliceTaskKey), "[\"bob\"]").status(), "a key scoped to another task");
    assertEquals(
        403,
        fx.get("/api/tasks?scope=SHARED", "Authorization", bearer(fx.aliceTaskKey)).status(),
        "a scoped credential lists no shared tasks");
    Reply byAdmin = share(bearer(token("root", "admin")), "[\"bob\"]");
    assertEquals(200, byAdmin.status(), byAdmin.body());
    assertEquals(200, fx.get("/api/tasks/" + TASK, "Authorization", bob).status());
    // re-registration by its job keeps the sharing
    assertEquals(
        200,
        fx.post("/api/tasks", "{\"task_id\":\"" + TASK + "\"}", "Authorization", alice).status());
    assertTrue(
        fx.get("/api/tasks/" + TASK, "Authorization", alice)
            .body()
            .contains("\"shared_with\":[\"bob\"]"));
  }
}
