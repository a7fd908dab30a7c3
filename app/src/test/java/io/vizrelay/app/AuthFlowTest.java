package io.vizrelay.app;

import static io.vizrelay.app.AuthFixture.bearer;
import static io.vizrelay.app.AuthFixture.event;
import static io.vizrelay.app.AuthFixture.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.app.AuthFixture.Reply;
import io.vizrelay.app.AuthFixture.Upgrade;
import io.vizrelay.common.auth.Passwords;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an authorized user, admin, job and browser may do when auth is on (issue 7). */
class AuthFlowTest {
  @TempDir Path dir;
  AuthFixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void theOwnerCanIngestWatchListGetAndStopTheirTask() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    String alice = bearer(token("alice"));
    assertEquals(
        201, fx.post("/api/tasks", "{\"task_id\":\"alice-a1\"}", "Authorization", alice).status());
    assertEquals(
        200, fx.post("/task/alice-a1/events", event("loss"), "Authorization", alice).status());
    assertEquals(
        200,
        fx.post(
                "/events",
                "{\"task_id\":\"alice-a1\"," + event("acc").substring(1),
                "Authorization",
                alice)
            .status());
    Upgrade ws =
        fx.socket(
            "/socket?task_id=alice-a1",
            "Authorization",
            alice,
            "Origin",
            "http://127.0.0.1:" + fx.server.port());
    assertTrue(ws.opened(), "same-origin socket of the owner opens");
    ws.await("\"acc\"");
    Reply list = fx.get("/api/tasks", "Authorization", alice);
    assertEquals(200, list.status());
    assertTrue(list.body().contains("alice-a1"), list.body());
    assertEquals(200, fx.get("/api/tasks/alice-a1", "Authorization", alice).status());
    Reply stop = fx.post("/api/tasks/alice-a1/stop", "{}", "Authorization", alice);
    assertEquals(200, stop.status());
    assertTrue(stop.body().contains("\"stop_requested\":true"), stop.body());
    assertEquals(
        200, fx.get("/api/tasks/alice-a1/control?timeout=0", "Authorization", alice).status());
    ws.ws().close();
  }

  @Test
  void anAdminSeesListsWatchesAndStopsEveryonesTasks() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    String alice = bearer(token("alice"));
    String root = bearer(token("root", "admin"));
    assertEquals(
        201, fx.post("/api/tasks", "{\"task_id\":\"alice-a2\"}", "Authorization", alice).status());
    assertEquals(
        200, fx.post("/task/alice-a2/events", event("loss"), "Authorization", alice).status());
    Reply list = fx.get("/api/tasks?user_id=alice", "Authorization", root);
    assertEquals(200, list.status());
    assertTrue(list.body().contains("alice-a2"), list.body());
    Upgrade ws = fx.socket("/socket?task_id=alice-a2", "Authorization", root);
    assertTrue(ws.opened());
    ws.await("\"loss\"");
    assertEquals(200, fx.post("/api/tasks/alice-a2/stop", "{}", "Authorization", root).status());
    assertEquals(200, fx.get("/api/relay/stats", "Authorization", root).status());
    ws.ws().close();
  }

  @Test
  void visdomsLoginSetsACookieThatIngestAccepts() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    String body =
        "{\"username\":\"alice\",\"password\":\"" + Passwords.sha256Hex("alice-pw") + "\"}";
    Reply login = fx.post("/task/alice-v1", body);
    assertEquals(200, login.status(), login.body());
    String setCookie = login.header("Set-Cookie");
    assertNotNull(setCookie);
    assertTrue(
        setCookie.toLowerCase().contains("httponly") && setCookie.contains("SameSite=Strict"),
        setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertEquals(200, fx.post("/task/alice-v1/events", event("loss"), "Cookie", cookie).status());
    assertEquals(200, fx.post("/", body).status(), "the root login works too");
    assertEquals(
        403,
        fx.post("/task/bob-v1/events", event("loss"), "Cookie", cookie).status(),
        "but only for alice's tasks");
    assertEquals(
        400, fx.post("/task/alice-v1", "{\"username\":\"alice\",\"password\":\"00\"}").status());
  }

  @Test
  void theSignInPageIssuesASessionCookieForThePage() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    assertEquals(401, fx.get("/auth/me").status(), "the page learns it must sign in");
    Reply login = fx.post("/auth/login", "{\"username\":\"alice\",\"password\":\"alice-pw\"}");
    assertEquals(200, login.status(), login.body());
    String setCookie = login.header("Set-Cookie");
    assertTrue(
        setCookie.startsWith("vizrelay_session=")
            && setCookie.toLowerCase().contains("httponly")
            && setCookie.contains("SameSite=Strict")
            && setCookie.contains("Path=/"),
        setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Reply me = fx.get("/auth/me", "Cookie", cookie);
    assertEquals(200, me.status());
    assertTrue(me.body().contains("\"user_id\":\"alice\""), me.body());
    assertEquals(200, fx.get("/api/tasks", "Cookie", cookie).status());
    Reply page = fx.get("/static/index.html");
    assertEquals(200, page.status(), "the page itself needs no credential");
    assertTrue(page.body().contains("signin.js"));
    assertTrue(fx.post("/auth/logout", null).header("Set-Cookie").contains("Max-Age=0"));
  }

  @Test
  void aTaskScopedApiKeyWritesOnlyToItsTask() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    String key = bearer(fx.aliceTaskKey);
    assertEquals(
        200, fx.post("/task/alice-k1/events", event("loss"), "Authorization", key).status());
    assertEquals(
        403, fx.post("/task/alice-k2/events", event("loss"), "Authorization", key).status());
    assertEquals(
        200,
        fx.post("/task/alice-k2/events", event("loss"), "Authorization", bearer(fx.aliceKey))
            .status(),
        "an unscoped key writes to every task of its user");
  }

  @Test
  void ingestBeyondTheRateGets429WithRetryAfter() throws Exception {
    fx = AuthFixture.start(dir, Map.of("VIZRELAY_INGEST_RATE_PER_SECOND", "1"));
    String alice = bearer(token("alice"));
    Reply last = null;
    for (int i = 0; i < 10 && (last == null || last.status() == 200); i++) {
      last = fx.post("/task/alice-r1/events", event("w" + i), "Authorization", alice);
    }
    assertEquals(429, last.status(), last.body());
    assertTrue(Long.parseLong(last.header("Retry-After")) >= 1, last.header("Retry-After"));
    assertTrue(last.body().contains("TOO_MANY_REQUESTS"), last.body());
    assertEquals(
        200,
        fx.post("/task/alice-k1/events", event("w"), "Authorization", bearer(fx.aliceTaskKey))
            .status(),
        "another credential has its own budget");
  }

  @Test
  void socketsBeyondTheUsersLimitAreRefusedBeforeTheUpgrade() throws Exception {
    fx = AuthFixture.start(dir, Map.of("VIZRELAY_MAX_CONNECTIONS_PER_USER", "2"));
    String alice = bearer(token("alice"));
    Upgrade one = fx.socket("/socket?task_id=alice-c1", "Authorization", alice);
    Upgrade two = fx.socket("/socket?task_id=alice-c2", "Authorization", alice);
    assertTrue(one.opened() && two.opened());
    assertEquals(429, fx.socket("/socket?task_id=alice-c3", "Authorization", alice).status());
    assertTrue(
        fx.socket("/socket?task_id=bob-c1", "Authorization", bearer(token("bob"))).opened(),
        "other users are not affected");
    TestServer.await(one.ws().close());
    Upgrade again = null;
    for (int i = 0; i < 100 && (again == null || !again.opened()); i++) {
      again =
          fx.socket(
              "/socket?task_id=alice-c3",
              "Authorization",
              alice); // the server counts the close asynchronously
    }
    assertTrue(again.opened(), "a closed socket frees its slot");
  }

  @Test
  void anAllowListedOriginMayOpenTheSocket() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    Upgrade ws =
        fx.socket(
            "/socket?task_id=alice-o1",
            "Authorization",
            bearer(token("alice")),
            "Origin",
            AuthFixture.ORIGIN_ALLOWED);
    assertTrue(ws.opened());
  }
}
