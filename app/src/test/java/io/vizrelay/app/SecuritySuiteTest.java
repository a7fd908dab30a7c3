package io.vizrelay.app;

import static io.vizrelay.app.AuthFixture.bearer;
import static io.vizrelay.app.AuthFixture.claims;
import static io.vizrelay.app.AuthFixture.event;
import static io.vizrelay.app.AuthFixture.jwt;
import static io.vizrelay.app.AuthFixture.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.app.AuthFixture.Reply;
import io.vizrelay.app.AuthFixture.Upgrade;
import io.vizrelay.common.auth.Passwords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 item 4: every attack against a server with auth on must fail. bob (a valid user) and
 * anonymous clients go after alice's task {@code alice-secret} through the socket, the registry
 * (list, get, stop, control, delete, register) and ingest; forged, expired, {@code alg:none},
 * wrong-key and subject-swapped tokens; no token; foreign WebSocket origins; oversized and deeply
 * nested bodies; path traversal and control characters in ids; header injection; and against {@code
 * alice-shared}, shared read-only with bob: bob writing to it in every way (registry, ingest,
 * socket commands, changing its sharing), an unshared user watching it, bob after the unsharing;
 * and the attacks of the issue 20 review: script injection through ingest replies, the owner of ids
 * without {@code -}, a read-only viewer's resumes, bodies before authentication and held uploads,
 * socket counts after TCP drops, sharing across delete and re-create, cross-site requests and DNS
 * rebinding, token and scope edge cases, split and per-account sign-in limits. Prints {@code
 * security suite: N attempts, 0 successes} and asserts there were no successes.
 */
class SecuritySuiteTest {
  static final String VICTIM = "alice-secret";
  static final String SHARED = "alice-shared";

  /** A small send bound, so that a snapshot is far beyond it. */
  static final int SESSION_QUEUE_BYTES = 64 * 1024;

  /** Sockets per user and kind. */
  static final int MAX_SOCKETS = 16;

  @TempDir Path dir;
  AuthFixture fx;
  String alice;
  String bob;
  int attempts;
  final List<String> successes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fx =
        AuthFixture.start(
            dir,
            Map.of(
                "VIZRELAY_SESSION_QUEUE_BYTES",
                Integer.toString(SESSION_QUEUE_BYTES),
                "VIZRELAY_MAX_CONNECTIONS_PER_USER",
                Integer.toString(MAX_SOCKETS)));
    alice = token("alice");
    bob = token("bob");
    assertEquals(
        201,
        fx.post("/api/tasks", "{\"task_id\":\"" + VICTIM + "\"}", "Authorization", bearer(alice))
            .status());
    assertEquals(
        200,
        fx.post("/task/" + VICTIM + "/events", event("private"), "Authorization", bearer(alice))
            .status());
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  /** Counts one attack; {@code succeeded} means the attacker got what they asked for. */
  void attempt(String name, boolean succeeded) {
    attempts++;
    if (succeeded) {
      successes.add(name);
    }
  }

  /** One forged request: what it tries, and the request as sent. */
  record Forged(String name, String method, String path, String body, String... headers) {}

  static boolean ok(Reply r) {
    return r.status() >= 200 && r.status() < 300;
  }

  @Test
  void everyAttackFails() throws Exception {
    socketAttacks();
    tokenAttacks();
    registryAttacks();
    ingestAttacks();
    bodyAndIdAttacks();
    headerInjection();
    int earlier = attempts;
    scriptInjection();
    ownerMixUp();
    viewerMemory();
    heldUploads();
    socketCountLeak();
    deleteAndRecreate();
    crossSiteRequests();
    lowerFindings();
    openServerAttacks();
    taskLimitAttacks();
    int review = attempts - earlier;
    passwordGuessing();
    sharingAttacks();
    int beforeIssue18 = attempts;
    revocationAttacks();
    oidcAttacks();
    int issue18 = attempts - beforeIssue18;
    System.out.println("security suite: " + issue18 + " attempts from issue 18 (revocation, OIDC)");
    System.out.println(
        "security suite: "
            + attempts
            + " attempts ("
            + review
            + " from the issue 20 review), "
            + successes.size()
            + " successes");
    assertTrue(attempts >= 398, "the suite ran its attacks: " + attempts);
    assertEquals(List.of(), successes, "attacks that succeeded");
  }

  private void socketAttacks() throws Exception {
    List<String> uris =
        List.of(
            "/socket?task_id=" + VICTIM,
            "/task/" + VICTIM + "/socket",
            "/socket?task_id=" + VICTIM + "&env=main",
            "/socket?task_id=" + VICTIM + "&since=x:0",
            "/vis_socket?task_id=" + VICTIM,
            "/task/" + VICTIM + "/vis_socket",
            "/socket",
            "/vis_socket");
    for (String uri : uris) {
      Upgrade asBob = fx.socket(uri, "Authorization", bearer(bob));
      attempt("bob opens " + uri + " (" + asBob.status() + ")", asBob.status() != 403);
      Upgrade anonymous = fx.socket(uri);
      attempt(
          "anonymous opens " + uri + " (" + anonymous.status() + ")", anonymous.status() != 401);
      Upgrade bobCookie = fx.socket(uri, "Cookie", "vizrelay_session=" + bob);
      attempt("bob's cookie opens " + uri, bobCookie.opened());
    }
    for (String origin :
        List.of(
            "http://evil.example",
            "null",
            "http://127.0.0.1.evil.example",
            "file://",
            "http://127.0.0.1:1")) {
      Upgrade cross =
          fx.socket("/socket?task_id=" + VICTIM, "Authorization", bearer(alice), "Origin", origin);
      attempt(
          "alice's credential from origin " + origin + " (" + cross.status() + ")",
          cross.status() != 403);
      Upgrade crossVis =
          fx.socket(
              "/vis_socket?task_id=" + VICTIM, "Authorization", bearer(alice), "Origin", origin);
      attempt("vis_socket from origin " + origin, crossVis.opened());
    }
  }

  /** Tokens that claim to be alice (or admin) without the server's key, or no longer valid. */
  private Map<String, String> forgedTokens() {
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("alg:none", jwt("none", null, claims("alice", now + 3600)));
    forged.put("alg:NONE", jwt("NONE", null, claims("alice", now + 3600)));
    forged.put(
        "wrong key",
        jwt("HS256", "another-secret-another-secret-another-secret", claims("alice", now + 3600)));
    forged.put("expired", jwt("HS256", AuthFixture.SECRET, claims("alice", now - 3600)));
    forged.put("no exp", jwt("HS256", AuthFixture.SECRET, claims("alice", null)));
    forged.put(
        "admin role, wrong key", jwt("HS256", "x".repeat(40), claims("bob", now + 3600, "admin")));
    String[] bobParts = bob.split("\\.");
    forged.put(
        "bob's signature on alice's claims",
        bobParts[0] + "." + AuthFixture.b64(claims("alice", now + 3600)) + "." + bobParts[2]);
    forged.put(
        "bob's signature on bob-as-admin",
        bobParts[0]
            + "."
            + AuthFixture.b64(claims("bob", now + 3600, "admin"))
            + "."
            + bobParts[2]);
    forged.put(
        "RS256 header, HMAC signature",
        jwt("RS256", AuthFixture.SECRET, claims("alice", now + 3600))
            .replace(
                AuthFixture.b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"),
                AuthFixture.b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")));
    forged.put("signature stripped", bobParts[0] + "." + bobParts[1] + ".");
    forged.put("garbage", "abc.def.ghi");
    forged.put("empty", "");
    forged.put(
        "user with dash", jwt("HS256", AuthFixture.SECRET, claims("alice-secret", now + 3600)));
    forged.put("unknown API key", "vzk_" + "0".repeat(64));
    return forged;
  }

  private void tokenAttacks() throws Exception {
    for (Map.Entry<String, String> f : forgedTokens().entrySet()) {
      String name = f.getKey();
      String t = f.getValue();
      Upgrade ws = fx.socket("/socket?task_id=" + VICTIM, "Authorization", bearer(t));
      attempt(name + ": socket (" + ws.status() + ")", ws.status() != 401);
      Upgrade wsCookie = fx.socket("/socket?task_id=" + VICTIM, "Cookie", "vizrelay_session=" + t);
      attempt(name + ": socket by cookie", wsCookie.opened());
      Reply get = fx.get("/api/tasks/" + VICTIM, "Authorization", bearer(t));
      attempt(name + ": get (" + get.status() + ")", get.status() != 401);
      Reply list = fx.get("/api/tasks?user_id=alice", "Cookie", "vizrelay_session=" + t);
      attempt(name + ": list by cookie", ok(list));
      Reply ingest =
          fx.post("/task/" + VICTIM + "/events", event("forged"), "Authorization", bearer(t));
      attempt(name + ": ingest (" + ingest.status() + ")", ingest.status() != 401);
      Reply stop = fx.post("/api/tasks/" + VICTIM + "/stop", "{}", "Authorization", bearer(t));
      attempt(name + ": stop", ok(stop));
    }
    Reply basic = fx.get("/api/tasks", "Authorization", "Basic YWxpY2U6YWxpY2UtcHc=");
    attempt("Basic credentials", basic.status() != 401);
    Reply none = fx.get("/api/tasks");
    attempt(
        "list without a credential",
        none.status() != 401
            || !"Bearer realm=\"vizrelay\"".equals(none.header("WWW-Authenticate")));
    Reply noIngest = fx.post("/events", event("anon"));
    attempt("ingest without a credential", noIngest.status() != 401);
    Reply noStats = fx.get("/api/relay/stats");
    attempt("relay stats without a credential", ok(noStats));
    Reply bobStats = fx.get("/api/relay/stats", "Authorization", bearer(bob));
    attempt("relay stats as a non-admin", ok(bobStats));
  }

  private void registryAttacks() throws Exception {
    String b = bearer(bob);
    attempt(
        "bob lists alice's tasks",
        fx.get("/api/tasks?user_id=alice", "Authorization", b).status() != 403);
    attempt(
        "bob's own list shows alice's task",
        fx.get("/api/tasks", "Authorization", b).body().contains(VICTIM));
    attempt(
        "bob gets alice's task",
        fx.get("/api/tasks/" + VICTIM, "Authorization", b).status() != 403);
    attempt(
        "bob gets an unknown task of alice (probing)",
        fx.get("/api/tasks/alice-nothing", "Authorization", b).status() != 403);
    attempt(
        "bob stops alice's task",
        fx.post("/api/tasks/" + VICTIM + "/stop", "{}", "Authorization", b).status() != 403);
    attempt(
        "bob polls alice's control",
        fx.get("/api/tasks/" + VICTIM + "/control?timeout=0", "Authorization", b).status() != 403);
    attempt(
        "bob heartbeats alice's task",
        fx.post("/api/tasks/" + VICTIM + "/heartbeat", "{}", "Authorization", b).status() != 403);
    attempt(
        "bob finishes alice's task",
        ok(
            fx.post(
                "/api/tasks/" + VICTIM + "/finish",
                "{\"status\":\"failed\",\"exit_code\":1}",
                "Authorization",
                b)));
    attempt(
        "bob deletes alice's task",
        fx.send("DELETE", "/api/tasks/" + VICTIM, null, "Authorization", b).status() != 403);
    attempt(
        "bob re-registers alice's task",
        ok(fx.post("/api/tasks", "{\"task_id\":\"" + VICTIM + "\"}", "Authorization", b)));
    attempt(
        "bob registers a task for alice",
        ok(
            fx.post(
                "/api/tasks",
                "{\"task_id\":\"bob-x\",\"user_id\":\"alice\"}",
                "Authorization",
                b)));
    attempt(
        "bob registers an alice- task",
        ok(fx.post("/api/tasks", "{\"task_id\":\"alice-new\"}", "Authorization", b)));
    attempt(
        "bob registers the default task",
        ok(fx.post("/api/tasks", "{\"task_id\":\"default\"}", "Authorization", b)));
    attempt(
        "alice's task-scoped key stops another of her tasks",
        ok(
            fx.post(
                "/api/tasks/" + VICTIM + "/stop", "{}", "Authorization", bearer(fx.aliceTaskKey))));
    Reply record = fx.get("/api/tasks/" + VICTIM, "Authorization", bearer(alice));
    assertEquals(200, record.status(), record.body());
    attempt(
        "alice's task was changed by someone else",
        record.body().contains("\"stop_requested\":true")
            || !record.body().contains("\"status\":\"running\""));
  }

  private void ingestAttacks() throws Exception {
    String b = bearer(bob);
    attempt(
        "bob ingests by path",
        fx.post("/task/" + VICTIM + "/events", event("x"), "Authorization", b).status() != 403);
    attempt(
        "bob ingests by body task_id",
        fx.post(
                    "/events",
                    "{\"task_id\":\"" + VICTIM + "\"," + event("x").substring(1),
                    "Authorization",
                    b)
                .status()
            != 403);
    attempt(
        "bob ingests to the default task",
        fx.post("/events", event("x"), "Authorization", b).status() != 403);
    attempt(
        "bob creates an env in alice's task",
        ok(fx.post("/task/" + VICTIM + "/env/main", "{}", "Authorization", b)));
    attempt(
        "bob closes alice's window",
        ok(
            fx.post(
                "/task/" + VICTIM + "/close",
                "{\"eid\":\"main\",\"win\":\"private\"}",
                "Authorization",
                b)));
    attempt(
        "bob reads alice's window through win_data",
        ok(
            fx.post(
                "/task/" + VICTIM + "/win_data",
                "{\"eid\":\"main\",\"win\":\"private\"}",
                "Authorization",
                b)));
    attempt(
        "bob reads alice's envs through env_state",
        ok(fx.post("/task/" + VICTIM + "/env_state", "{}", "Authorization", b)));
    attempt(
        "bob deletes alice's env",
        ok(fx.post("/task/" + VICTIM + "/delete_env", "{\"eid\":\"main\"}", "Authorization", b)));
    attempt(
        "alice's task-scoped key writes to another of her tasks",
        ok(
            fx.post(
                "/task/" + VICTIM + "/events",
                event("x"),
                "Authorization",
                bearer(fx.aliceTaskKey))));
    attempt(
        "alice's key writes to bob's task",
        ok(fx.post("/task/bob-t/events", event("x"), "Authorization", bearer(fx.aliceKey))));
    // bob takes over alice's browser session by its sid (visdom's POST /env/<eid> {sid})
    Upgrade aliceBrowser = fx.socket("/socket?task_id=" + VICTIM, "Authorization", bearer(alice));
    assertTrue(aliceBrowser.opened());
    String register = aliceBrowser.await("\"register\"");
    String sid =
        io.vizrelay.common.json.Json.parseTrusted(register.getBytes()).path("data").asText();
    attempt(
        "bob switches alice's browser session",
        ok(fx.post("/env/other", "{\"sid\":\"" + sid + "\"}", "Authorization", b)));
    aliceBrowser.ws().close();
    // visdom's login and the sign-in page with wrong passwords
    Reply visdom =
        fx.post(
            "/task/" + VICTIM,
            "{\"username\":\"alice\",\"password\":\"" + Passwords.sha256Hex("wrong") + "\"}");
    attempt(
        "visdom login with a wrong password (" + visdom.status() + ")",
        visdom.status() != 400 || visdom.hasHeader("Set-Cookie"));
    Reply visdomUnknown =
        fx.post(
            "/", "{\"username\":\"mallory\",\"password\":\"" + Passwords.sha256Hex("x") + "\"}");
    attempt(
        "visdom login as an unknown user",
        ok(visdomUnknown) || visdomUnknown.hasHeader("Set-Cookie"));
    Reply visdomPlain = fx.post("/", "{\"username\":\"alice\",\"password\":\"alice-pw\"}");
    attempt("visdom login with the plain password instead of its hash", ok(visdomPlain));
    Reply page = fx.post("/auth/login", "{\"username\":\"alice\",\"password\":\"wrong\"}");
    attempt(
        "sign-in with a wrong password (" + page.status() + ")",
        page.status() != 401 || page.hasHeader("Set-Cookie"));
    Reply pageHash =
        fx.post(
            "/auth/login",
            "{\"username\":\"alice\",\"password\":\"" + Passwords.sha256Hex("alice-pw") + "\"}");
    attempt("sign-in with the stored hash's input instead of the password", ok(pageHash));
  }

  private void bodyAndIdAttacks() throws Exception {
    String a = bearer(alice);
    String big =
        "{\"eid\":\"main\",\"win\":\"big\",\"data\":[{\"x\":[1],\"y\":[2],\"pad\":\""
            + "x".repeat(100_000)
            + "\"}]}";
    Reply oversized = fx.post("/task/" + VICTIM + "/events", big, "Authorization", a);
    attempt("oversized ingest body (" + oversized.status() + ")", oversized.status() != 413);
    attempt(
        "oversized registry body",
        ok(
            fx.post(
                "/api/tasks",
                "{\"task_id\":\"alice-big\",\"meta\":{\"p\":\"" + "x".repeat(70_000) + "\"}}",
                "Authorization",
                a)));
    attempt(
        "oversized sign-in body",
        ok(
            fx.post(
                "/auth/login",
                "{\"username\":\"alice\",\"password\":\"" + "x".repeat(10_000) + "\"}")));
    String deep = "[".repeat(5000) + "]".repeat(5000);
    Reply nested =
        fx.post(
            "/task/" + VICTIM + "/events",
            "{\"eid\":\"main\",\"win\":\"deep\",\"data\":" + deep + "}",
            "Authorization",
            a);
    attempt("deeply nested ingest body (" + nested.status() + ")", nested.status() != 400);
    attempt(
        "deeply nested registry body",
        ok(
            fx.post(
                "/api/tasks",
                "{\"task_id\":\"alice-deep\",\"meta\":"
                    + deep.replace('[', '{').replace(']', '}')
                    + "}",
                "Authorization",
                a)));
    attempt(
        "deeply nested sign-in body", ok(fx.post("/auth/login", "{\"username\":" + deep + "}")));
    // control characters in env and window ids
    attempt(
        "control character in env id",
        ok(
            fx.post(
                "/task/" + VICTIM + "/events",
                "{\"eid\":\"ma\\u0001in\",\"win\":\"w\",\"data\":[{\"x\":[1],\"y\":[2]}]}",
                "Authorization",
                a)));
    attempt(
        "newline in window id",
        ok(
            fx.post(
                "/task/" + VICTIM + "/events",
                "{\"eid\":\"main\",\"win\":\"w\\r\\nX-Injected: yes\",\"data\":[{\"x\":[1],\"y\":[2]}]}",
                "Authorization",
                a)));
    attempt(
        "control character in env path",
        ok(fx.post("/task/" + VICTIM + "/env/a%07b", "{}", "Authorization", a)));
    Upgrade ctlEnv = fx.socket("/socket?task_id=" + VICTIM + "&env=a%00b", "Authorization", a);
    attempt("control character in socket env", ctlEnv.opened());
    // path traversal in env, window and task ids, and the static files
    Path outside = dir.resolve("pwned");
    Reply traversal =
        fx.post(
            "/task/" + VICTIM + "/events",
            "{\"eid\":\"../../../../"
                + outside
                + "\",\"win\":\"../../w\","
                + "\"data\":[{\"x\":[1],\"y\":[2]}]}",
            "Authorization",
            a);
    Reply envs = fx.post("/task/" + VICTIM + "/env_state", "{}", "Authorization", a);
    attempt(
        "env id with ../ kept as a path",
        ok(traversal) && envs.body().contains("../") || Files.exists(outside));
    Reply envPath = fx.post("/task/" + VICTIM + "/env/..%2F..%2Fetc", "{}", "Authorization", a);
    attempt(
        "env path with encoded ../",
        Files.exists(dir.resolve("etc"))
            || ok(envPath)
                && fx.post("/task/" + VICTIM + "/env_state", "{}", "Authorization", a)
                    .body()
                    .contains("../"));
    for (String task :
        List.of("..%2F..%2Fetc", "alice-..%2F..%2Fx", "alice-%2E%2E%2Fbob-t", "alice-a%0Db")) {
      attempt(
          "task id " + task + " on ingest",
          ok(fx.post("/task/" + task + "/events", event("t"), "Authorization", a)));
      attempt(
          "task id " + task + " on socket",
          fx.socket("/socket?task_id=" + task, "Authorization", a).opened());
      attempt(
          "task id " + task + " on registry", ok(fx.get("/api/tasks/" + task, "Authorization", a)));
    }
    for (String path :
        List.of(
            "/static/../../pom.xml",
            "/static/..%2F..%2F..%2Fpom.xml",
            "/static/%2e%2e/%2e%2e/pom.xml",
            "/webjars/..%2F..%2F..%2Fetc/passwd")) {
      Reply r = fx.get(path);
      attempt(
          "static traversal " + path,
          ok(r) && (r.body().contains("<project") || r.body().contains("root:")));
    }
  }

  /**
   * alice shares {@value #SHARED} with bob, read-only: every write of bob's and every read of
   * carol's fails.
   */
  private void sharingAttacks() throws Exception {
    String a = bearer(alice);
    String b = bearer(bob);
    String carol = bearer(token("carol"));
    assertEquals(
        201,
        fx.post("/api/tasks", "{\"task_id\":\"" + SHARED + "\"}", "Authorization", a).status());
    assertEquals(
        200, fx.post("/task/" + SHARED + "/events", event("w"), "Authorization", a).status());
    assertEquals(
        200,
        fx.send(
                "PUT",
                "/api/tasks/" + SHARED + "/shared_with",
                "{\"users\":[\"bob\"]}",
                "Authorization",
                a)
            .status());
    assertEquals(
        200,
        fx.get("/api/tasks/" + SHARED, "Authorization", b).status(),
        "bob reads the shared task");
    // the registry: bob may read, never write
    String t = "/api/tasks/" + SHARED;
    attempt("shared: bob stops it", ok(fx.post(t + "/stop", "{}", "Authorization", b)));
    attempt("shared: bob deletes it", ok(fx.send("DELETE", t, null, "Authorization", b)));
    attempt(
        "shared: bob finishes it",
        ok(fx.post(t + "/finish", "{\"status\":\"failed\",\"exit_code\":1}", "Authorization", b)));
    attempt("shared: bob heartbeats it", ok(fx.post(t + "/heartbeat", "{}", "Authorization", b)));
    attempt(
        "shared: bob polls its control", ok(fx.get(t + "/control?timeout=0", "Authorization", b)));
    attempt(
        "shared: bob re-registers it",
        ok(fx.post("/api/tasks", "{\"task_id\":\"" + SHARED + "\"}", "Authorization", b)));
    attempt(
        "shared: bob shares it further",
        fx.send("PUT", t + "/shared_with", "{\"users\":[\"bob\",\"carol\"]}", "Authorization", b)
                .status()
            != 403);
    attempt(
        "shared: bob unshares it",
        fx.send("PUT", t + "/shared_with", "{\"users\":[]}", "Authorization", b).status() != 403);
    attempt(
        "bob shares alice's unshared task with himself",
        fx.send(
                    "PUT",
                    "/api/tasks/" + VICTIM + "/shared_with",
                    "{\"users\":[\"bob\"]}",
                    "Authorization",
                    b)
                .status()
            != 403);
    attempt(
        "bob probes an unknown task's sharing",
        fx.send(
                    "PUT",
                    "/api/tasks/alice-nothing/shared_with",
                    "{\"users\":[\"bob\"]}",
                    "Authorization",
                    b)
                .status()
            != 403);
    attempt(
        "shared: bob lists alice's tasks through scope=shared",
        fx.get("/api/tasks?scope=shared&user_id=alice", "Authorization", b).status() != 403);
    // ingest: owner only
    attempt(
        "shared: bob ingests by path",
        ok(fx.post("/task/" + SHARED + "/events", event("bob"), "Authorization", b)));
    attempt(
        "shared: bob ingests by body task_id",
        ok(
            fx.post(
                "/events",
                "{\"task_id\":\"" + SHARED + "\"," + event("bob").substring(1),
                "Authorization",
                b)));
    attempt(
        "shared: bob closes a window over HTTP",
        ok(
            fx.post(
                "/task/" + SHARED + "/close",
                "{\"eid\":\"main\",\"win\":\"w\"}",
                "Authorization",
                b)));
    attempt(
        "shared: bob deletes the env over HTTP",
        ok(fx.post("/task/" + SHARED + "/delete_env", "{\"eid\":\"main\"}", "Authorization", b)));
    attempt(
        "shared: bob opens its vis_socket",
        fx.socket("/vis_socket?task_id=" + SHARED, "Authorization", b).opened());
    // the socket: bob watches read-only; his commands change nothing and reach no job
    Upgrade job = fx.socket("/vis_socket?task_id=" + SHARED, "Authorization", a);
    assertTrue(job.opened());
    Upgrade aliceBrowser = fx.socket("/socket?task_id=" + SHARED, "Authorization", a);
    assertTrue(aliceBrowser.opened());
    String aliceSid =
        io.vizrelay.common.json.Json.parseTrusted(aliceBrowser.await("\"register\"").getBytes())
            .path("data")
            .asText();
    for (String uri : List.of("/socket?task_id=" + SHARED, "/task/" + SHARED + "/socket")) {
      Upgrade ws = fx.socket(uri, "Authorization", b);
      assertTrue(ws.opened(), "bob watches the shared task: " + ws.status());
      boolean readonly =
          io.vizrelay.common.json.Json.parseTrusted(ws.await("\"register\"").getBytes())
              .path("readonly")
              .asBoolean(false);
      attempt("shared: bob's socket " + uri + " is not read-only", !readonly);
      ws.ws().close();
    }
    Upgrade bobBrowser = fx.socket("/socket?task_id=" + SHARED, "Authorization", b);
    bobBrowser.await("\"register\"");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"close\",\"eid\":\"main\",\"data\":\"w\"}");
    bobBrowser
        .ws()
        .writeTextMessage(
            "{\"cmd\":\"layout_item_update\",\"eid\":\"main\",\"win\":\"w\",\"data\":{\"title\":\"bob\"}}");
    bobBrowser
        .ws()
        .writeTextMessage(
            "{\"cmd\":\"save\",\"prev_eid\":\"main\",\"eid\":\"bobcopy\",\"data\":{}}");
    bobBrowser
        .ws()
        .writeTextMessage(
            "{\"cmd\":\"forward_to_vis\",\"data\":{\"event_type\":\"KeyPress\",\"key\":\"bob-forward\",\"pane_data\":false}}");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"delete_env\",\"eid\":\"main\"}");
    TestServer.await(bobBrowser.barrier()); // bob's commands were read and dispatched
    aliceBrowser
        .ws()
        .writeTextMessage(
            "{\"cmd\":\"forward_to_vis\",\"data\":{\"event_type\":\"KeyPress\",\"key\":\"alice-forward\",\"pane_data\":false}}");
    job.await("alice-forward");
    assertEquals(
        200, fx.post("/task/" + SHARED + "/events", event("marker"), "Authorization", a).status());
    bobBrowser.await("\"marker\"");
    aliceBrowser.await("\"marker\""); // alice's stream is past anything bob's commands made
    List<String> aliceFrames;
    synchronized (aliceBrowser.frames()) {
      aliceFrames = List.copyOf(aliceBrowser.frames());
    }
    List<String> jobFrames;
    synchronized (job.frames()) {
      jobFrames = List.copyOf(job.frames());
    }
    attempt(
        "shared: bob's forward_to_vis reached the job",
        jobFrames.stream().anyMatch(f -> f.contains("bob-forward")));
    attempt(
        "shared: bob's close reached alice's browser",
        aliceFrames.stream().anyMatch(f -> f.contains("\"command\":\"close\"")));
    attempt(
        "shared: bob's layout change reached alice's browser",
        aliceFrames.stream().anyMatch(f -> f.contains("\"bob\"")));
    attempt(
        "shared: bob's socket closed alice's window",
        !ok(
            fx.post(
                "/task/" + SHARED + "/win_data",
                "{\"eid\":\"main\",\"win\":\"w\"}",
                "Authorization",
                a)));
    String envs = fx.post("/task/" + SHARED + "/env_state", "{}", "Authorization", a).body();
    attempt(
        "shared: bob's socket saved or deleted an env (" + envs + ")",
        envs.contains("bobcopy") || !envs.contains("main"));
    attempt(
        "shared: bob switches alice's browser session",
        ok(fx.post("/env/other", "{\"sid\":\"" + aliceSid + "\"}", "Authorization", b)));
    Reply record = fx.get("/api/tasks/" + SHARED, "Authorization", a);
    attempt(
        "shared: the task was changed by bob (" + record.body() + ")",
        record.body().contains("\"stop_requested\":true")
            || !record.body().contains("\"status\":\"running\"")
            || !record.body().contains("\"shared_with\":[\"bob\"]"));
    // carol: the task is not shared with her
    attempt(
        "unshared: carol watches it",
        fx.socket("/socket?task_id=" + SHARED, "Authorization", carol).status() != 403);
    attempt(
        "unshared: carol watches it by path",
        fx.socket("/task/" + SHARED + "/socket", "Authorization", carol).status() != 403);
    attempt(
        "unshared: carol gets it",
        fx.get("/api/tasks/" + SHARED, "Authorization", carol).status() != 403);
    attempt(
        "unshared: carol lists it as shared",
        fx.get("/api/tasks?scope=shared", "Authorization", carol).body().contains(SHARED));
    attempt(
        "unshared: carol lists bob's shared tasks",
        fx.get("/api/tasks?scope=shared&user_id=bob", "Authorization", carol).status() != 403);
    attempt(
        "unshared: anonymous watches it", fx.socket("/socket?task_id=" + SHARED).status() != 401);
    attempt(
        "unshared: carol watches an unknown task (probing)",
        fx.socket("/socket?task_id=alice-nothing", "Authorization", carol).status() != 403);
    // alice unshares: bob is out
    assertEquals(
        200,
        fx.send(
                "PUT",
                "/api/tasks/" + SHARED + "/shared_with",
                "{\"users\":[]}",
                "Authorization",
                a)
            .status());
    long deadline = System.currentTimeMillis() + 10_000;
    while (!bobBrowser.ws().isClosed() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    attempt("unshared: bob's open socket stays open", !bobBrowser.ws().isClosed());
    attempt(
        "unshared: bob watches it again",
        fx.socket("/socket?task_id=" + SHARED, "Authorization", b).status() != 403);
    attempt(
        "unshared: bob gets it",
        fx.get("/api/tasks/" + SHARED, "Authorization", b).status() != 403);
    attempt(
        "unshared: bob still lists it",
        fx.get("/api/tasks?scope=shared", "Authorization", b).body().contains(SHARED));
    aliceBrowser.ws().close();
    job.ws().close();
  }

  /**
   * Rapid wrong passwords from one address are throttled (429 with Retry-After), not answered
   * forever.
   */
  private void passwordGuessing() throws Exception {
    boolean throttled = false;
    for (int i = 0; i < 40 && !throttled; i++) {
      Reply r = fx.post("/auth/login", "{\"username\":\"alice\",\"password\":\"guess" + i + "\"}");
      throttled = r.status() == 429 && r.header("Retry-After") != null;
      attempt("password guess " + i, ok(r));
    }
    attempt("unthrottled password guessing", !throttled);
  }

  private void headerInjection() throws Exception {
    String a = bearer(alice);
    Reply r1 = fx.get("/api/tasks/alice-x%0D%0AX-Injected:%20yes", "Authorization", a);
    attempt("CRLF in a registry path", r1.hasHeader("X-Injected"));
    Reply r2 =
        fx.post(
            "/auth/login",
            "{\"username\":\"alice\\r\\nX-Injected: yes\",\"password\":\"alice-pw\"}");
    attempt("CRLF in a sign-in user name", r2.hasHeader("X-Injected") || ok(r2));
    Reply r3 =
        fx.post(
            "/task/alice-x%0D%0ASet-Cookie:%20vizrelay_session=evil/events",
            event("h"), "Authorization", a);
    attempt(
        "CRLF in an ingest task id",
        r3.hasHeader("X-Injected") || String.valueOf(r3.header("Set-Cookie")).contains("evil"));
    Reply r4 =
        fx.post(
            "/task/" + VICTIM + "/events",
            "{\"eid\":\"main\\r\\nX-Injected: yes\",\"win\":\"h\",\"data\":[{\"x\":[1],\"y\":[2]}]}",
            "Authorization",
            a);
    attempt("CRLF in an env id", r4.hasHeader("X-Injected"));
    Upgrade ws = fx.socket("/socket?task_id=alice-x%0D%0AX-Injected:%20yes", "Authorization", a);
    attempt("CRLF in a socket task id", ws.opened());
    Reply r5 = fx.get("/api/tasks?user_id=alice%0D%0AX-Injected:%20yes", "Authorization", a);
    attempt("CRLF in a list query", r5.hasHeader("X-Injected") || ok(r5));
  }

  // ------------------------------------------------------------------ issue 20: the security
  // review's attacks

  /**
   * 20.1: caller text never comes back as HTML; nosniff on every response; the page runs under a
   * CSP.
   */
  private void scriptInjection() throws Exception {
    String xss = "<img src=x onerror=alert(document.cookie)>";
    Reply r =
        fx.post(
            "/task/" + VICTIM + "/events",
            "{\"eid\":\"main\",\"win\":\""
                + xss
                + "\",\"data\":[{\"x\":[1],\"y\":[2],\"type\":\"scatter\"}],\"layout\":{},\"opts\":{}}",
            "Authorization",
            bearer(alice));
    assertEquals(200, r.status(), r.body());
    String type = String.valueOf(r.header("Content-Type"));
    attempt(
        "ingest reply echoes the window id as HTML (" + type + ")",
        !type.startsWith("text/plain") && !type.startsWith("application/json"));
    attempt("ingest reply without nosniff", !"nosniff".equals(r.header("X-Content-Type-Options")));
    for (String path :
        List.of(
            "/",
            "/static/index.html",
            "/static/js/app.js",
            "/api/tasks",
            "/no-such-page",
            "/health")) {
      Reply any = fx.get(path, "Authorization", bearer(alice));
      attempt(path + " without nosniff", !"nosniff".equals(any.header("X-Content-Type-Options")));
    }
    Reply page = fx.get("/static/index.html");
    String csp = String.valueOf(page.header("Content-Security-Policy"));
    attempt(
        "the page's CSP allows inline or foreign script (" + csp + ")",
        !csp.contains("script-src 'self';"));
    attempt(
        "the page has an inline script",
        java.util.regex.Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>")
            .matcher(page.body())
            .find());
    attempt(
        "the page has an inline event handler",
        java.util.regex.Pattern.compile("<[^>]+\\son[a-z]+\\s*=").matcher(page.body()).find());
  }

  /**
   * 20.2: tasks whose id names no user are not handed to the user called like VIZRELAY_USER
   * (default demo).
   */
  private void ownerMixUp() throws Exception {
    String root = bearer(token("root", "admin"));
    String demo = bearer(token("demo"));
    for (String task : List.of("default", "adminonly")) {
      assertEquals(
          200,
          fx.post("/task/" + task + "/events", event("admin"), "Authorization", root).status());
    }
    assertEquals(
        201, fx.post("/api/tasks", "{\"task_id\":\"adminreg\"}", "Authorization", root).status());
    long deadline = System.currentTimeMillis() + 15_000;
    while (fx.get("/api/tasks/adminonly", "Authorization", root).status() != 200) {
      assertTrue(
          System.currentTimeMillis() < deadline, "the ingest heartbeat registered adminonly");
      Thread.onSpinWait();
    }
    for (String task : List.of("default", "adminonly", "adminreg")) {
      String t = "/api/tasks/" + task;
      attempt("demo gets " + task, ok(fx.get(t, "Authorization", demo)));
      attempt("demo stops " + task, ok(fx.post(t + "/stop", "{}", "Authorization", demo)));
      attempt(
          "demo shares " + task,
          ok(fx.send("PUT", t + "/shared_with", "{\"users\":[\"demo\"]}", "Authorization", demo)));
      attempt(
          "demo polls " + task + "'s control",
          ok(fx.get(t + "/control?timeout=0", "Authorization", demo)));
      attempt(
          "demo ingests into " + task,
          ok(fx.post("/task/" + task + "/events", event("demo"), "Authorization", demo)));
      attempt(
          "demo watches " + task,
          fx.socket("/socket?task_id=" + task, "Authorization", demo).opened());
      attempt("demo deletes " + task, ok(fx.send("DELETE", t, null, "Authorization", demo)));
    }
    Reply own = fx.get("/api/tasks", "Authorization", demo);
    attempt(
        "demo's own list holds an admin's task (" + own.body() + ")",
        own.body().contains("adminonly") || own.body().contains("adminreg"));
    attempt(
        "admin's default task recorded as demo's",
        fx.get("/api/tasks/adminonly", "Authorization", root)
            .body()
            .contains("\"user_id\":\"demo\""));
  }

  /**
   * 20.3: a read-only viewer that never reads asks for 40 resumes of a large task: memory stays
   * bounded.
   */
  private void viewerMemory() throws Exception {
    String a = bearer(alice);
    String big = "alice-big";
    assertEquals(
        201, fx.post("/api/tasks", "{\"task_id\":\"" + big + "\"}", "Authorization", a).status());
    int taskBytes = 0;
    for (int i = 0; i < 24; i++) {
      String body =
          "{\"eid\":\"main\",\"win\":\"w"
              + i
              + "\",\"data\":[{\"x\":[1],\"y\":[2],\"type\":\"scatter\",\"pad\":\""
              + "p".repeat(60_000)
              + "\"}],\"layout\":{},\"opts\":{}}";
      assertEquals(200, fx.post("/task/" + big + "/events", body, "Authorization", a).status());
      taskBytes += body.length();
    }
    assertEquals(
        200,
        fx.send(
                "PUT",
                "/api/tasks/" + big + "/shared_with",
                "{\"users\":[\"bob\"]}",
                "Authorization",
                a)
            .status());
    String root = bearer(token("root", "admin"));
    try (RawHttp viewer = RawHttp.connect(fx.server.port())) {
      viewer.write(
          RawHttp.upgrade(
              fx.server.port(), "/socket?task_id=" + big, "Authorization: " + bearer(bob)));
      assertEquals(101, RawHttp.status(viewer.readHead()), "bob watches the shared task");
      for (int i = 0; i < 40; i++) {
        long before = resyncsSeen(root);
        viewer.socket.getOutputStream().write(maskedText("{\"cmd\":\"resume\",\"since\":\"\"}"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (resyncsSeen(root) == before) {
          assertTrue(System.currentTimeMillis() < deadline, "resume " + i + " was handled");
          Thread.onSpinWait();
        }
      }
      JsonNode stats = stats(root);
      long queued = stats.path("maxQueuedBytes").asLong();
      attempt(
          "40 resumes by a read-only viewer queued " + queued + " bytes (task " + taskBytes + ")",
          queued > SESSION_QUEUE_BYTES + 2L * taskBytes);
      viewer.drop();
    }
  }

  private JsonNode stats(String admin) throws Exception {
    Reply r = fx.get("/api/relay/stats", "Authorization", admin);
    assertEquals(200, r.status(), r.body());
    return io.vizrelay.common.json.Json.parseTrusted(
        r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Snapshots sent plus browser-asked re-syncs held back: one of them moves for each resume
   * handled.
   */
  private long resyncsSeen(String admin) throws Exception {
    JsonNode s = stats(admin);
    return s.path("snapshots").asLong() + s.path("resyncsHeld").asLong();
  }

  /** A client-to-server WebSocket text frame (masked, as RFC 6455 requires of clients). */
  static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(payload.length < 126);
    byte[] mask = {1, 2, 3, 4};
    byte[] frame = new byte[2 + 4 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /**
   * 20.4: an upload without credentials is refused before its body is read; /health answers while
   * many uploads (with and without credentials) are held open mid-body.
   */
  private void heldUploads() throws Exception {
    int port = fx.server.port();
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        RawHttp anonymous = RawHttp.connect(port);
        held.add(anonymous);
        anonymous.write(
            "POST /task/"
                + VICTIM
                + "/events HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"eid\":\"main\",\"win\":\""
                + "u".repeat(1000));
        int status = RawHttp.status(anonymous.readHead());
        attempt(
            "upload without credentials not refused before its body (" + status + ")",
            status != 401);
        RawHttp withKey = RawHttp.connect(port);
        held.add(withKey);
        withKey.write(
            "POST /task/"
                + VICTIM
                + "/events HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nAuthorization: "
                + bearer(alice)
                + "\r\nContent-Length: 60000\r\n\r\n{\"eid\":\"main\",\"win\":\""
                + "u".repeat(1000));
      }
      Reply health = fx.get("/health");
      attempt(
          "/health down while 80 uploads are held (" + health.status() + ")",
          health.status() != 200);
    } finally {
      for (RawHttp r : held) {
        r.close();
      }
    }
  }

  /**
   * 20.5: TCP drops without a close frame release the per-user socket count; /vis_socket has a
   * limit.
   */
  private void socketCountLeak() throws Exception {
    int port = fx.server.port();
    String b = bearer(bob);
    String root = bearer(token("root", "admin"));
    int sessionsBefore = stats(root).path("sessions").asInt();
    for (int round = 0; round < 3; round++) {
      List<RawHttp> open = new ArrayList<>();
      for (int i = 0; i < MAX_SOCKETS / 2; i++) {
        RawHttp ws = RawHttp.connect(port);
        open.add(ws);
        ws.write(RawHttp.upgrade(port, "/socket?task_id=bob-t", "Authorization: " + b));
        int status = RawHttp.status(ws.readHead());
        attempt(
            "round " + round + ": bob refused a socket after TCP drops (" + status + ")",
            status != 101);
      }
      for (RawHttp ws : open) {
        ws.drop();
      }
      awaitSessions(root, sessionsBefore);
    }
    List<RawHttp> jobs = new ArrayList<>();
    int opened = 0;
    for (int i = 0; i < MAX_SOCKETS + 2; i++) {
      RawHttp ws = RawHttp.connect(port);
      jobs.add(ws);
      ws.write(RawHttp.upgrade(port, "/vis_socket?task_id=bob-t", "Authorization: " + b));
      opened += RawHttp.status(ws.readHead()) == 101 ? 1 : 0;
    }
    attempt(
        "bob opened " + opened + " vis_sockets (limit " + MAX_SOCKETS + ")", opened > MAX_SOCKETS);
    for (RawHttp ws : jobs) {
      ws.drop();
    }
  }

  private void awaitSessions(String admin, int sessions) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (stats(admin).path("sessions").asInt() > sessions) {
      assertTrue(
          System.currentTimeMillis() < deadline, "dropped sockets were closed by the server");
      Thread.onSpinWait();
    }
  }

  /**
   * 20.6: deleting a shared task closes its read-only sockets; sharing does not survive delete +
   * re-create.
   */
  private void deleteAndRecreate() throws Exception {
    String a = bearer(alice);
    String b = bearer(bob);
    String task = "alice-again";
    assertEquals(
        201, fx.post("/api/tasks", "{\"task_id\":\"" + task + "\"}", "Authorization", a).status());
    assertEquals(
        200, fx.post("/task/" + task + "/events", event("before"), "Authorization", a).status());
    assertEquals(
        200,
        fx.send(
                "PUT",
                "/api/tasks/" + task + "/shared_with",
                "{\"users\":[\"bob\"]}",
                "Authorization",
                a)
            .status());
    Upgrade watcher = fx.socket("/socket?task_id=" + task, "Authorization", b);
    assertTrue(watcher.opened(), "bob watches the shared task");
    watcher.await("\"register\"");
    assertEquals(204, fx.send("DELETE", "/api/tasks/" + task, null, "Authorization", a).status());
    long deadline = System.currentTimeMillis() + 10_000;
    while (!watcher.ws().isClosed() && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    attempt("bob's read-only socket stays open after the delete", !watcher.ws().isClosed());
    // 201, or 200 when the last heartbeat of the deleted task's ingest already registered it again
    assertTrue(ok(fx.post("/api/tasks", "{\"task_id\":\"" + task + "\"}", "Authorization", a)));
    assertEquals(
        200,
        fx.post("/task/" + task + "/events", event("after-recreate"), "Authorization", a).status());
    attempt(
        "bob watches the re-created task",
        fx.socket("/socket?task_id=" + task, "Authorization", b).opened());
    attempt("bob gets the re-created task", ok(fx.get("/api/tasks/" + task, "Authorization", b)));
    synchronized (watcher.frames()) {
      attempt(
          "bob's old socket saw the re-created task's data",
          watcher.frames().stream().anyMatch(f -> f.contains("after-recreate")));
    }
  }

  /** 20.7: cross-site requests riding on bob's session cookie; the stock clients keep working. */
  private void crossSiteRequests() throws Exception {
    int port = fx.server.port();
    String self = "http://127.0.0.1:" + port;
    String cookie = "vizrelay_session=" + bob;
    assertEquals(
        201,
        fx.post("/api/tasks", "{\"task_id\":\"bob-c\"}", "Authorization", bearer(bob)).status());
    String json = "application/json";
    String evil = "http://evil.example";
    String stop = "/api/tasks/bob-c/stop";
    String share = "/api/tasks/bob-c/shared_with";
    String events = "/task/bob-c/events";
    for (Forged f :
        List.of(
            new Forged(
                "cookie stop from a foreign Origin",
                "POST",
                stop,
                "{}",
                "Cookie",
                cookie,
                "Origin",
                evil,
                "Content-Type",
                json),
            new Forged(
                "cookie stop from a foreign site (Sec-Fetch-Site)",
                "POST",
                stop,
                "{}",
                "Cookie",
                cookie,
                "Sec-Fetch-Site",
                "cross-site",
                "Content-Type",
                json),
            new Forged(
                "cookie stop from a sibling site (Sec-Fetch-Site)",
                "POST",
                stop,
                "{}",
                "Cookie",
                cookie,
                "Sec-Fetch-Site",
                "same-site",
                "Content-Type",
                json),
            new Forged(
                "cookie stop with Origin null",
                "POST",
                stop,
                "{}",
                "Cookie",
                cookie,
                "Origin",
                "null",
                "Content-Type",
                json),
            new Forged(
                "cookie stop as a text/plain form body",
                "POST",
                stop,
                "{}",
                "Cookie",
                cookie,
                "Origin",
                self,
                "Content-Type",
                "text/plain"),
            new Forged(
                "cookie ingest from a foreign Origin",
                "POST",
                events,
                event("csrf"),
                "Cookie",
                cookie,
                "Origin",
                evil,
                "Content-Type",
                "text/plain"),
            new Forged(
                "cookie ingest as a same-origin urlencoded form",
                "POST",
                events,
                event("csrf"),
                "Cookie",
                cookie,
                "Origin",
                self,
                "Content-Type",
                "application/x-www-form-urlencoded"),
            new Forged(
                "cookie share from a foreign Origin",
                "PUT",
                share,
                "{\"users\":[\"carol\"]}",
                "Cookie",
                cookie,
                "Origin",
                evil,
                "Content-Type",
                json),
            new Forged(
                "cookie delete from a foreign Origin",
                "DELETE",
                "/api/tasks/bob-c",
                null,
                "Cookie",
                cookie,
                "Origin",
                evil))) {
      attempt(f.name(), ok(fx.send(f.method(), f.path(), f.body(), f.headers())));
    }
    Reply loginCsrf =
        fx.post(
            "/auth/login",
            "{\"username\":\"bob\",\"password\":\"bob-pw\"}",
            "Origin",
            "http://evil.example",
            "Content-Type",
            json);
    attempt(
        "sign-in from a foreign Origin (login CSRF)",
        ok(loginCsrf) || loginCsrf.hasHeader("Set-Cookie"));
    // the page itself, and visdom's client with its login cookie (no Origin), keep working
    assertEquals(
        200,
        fx.post(
                "/api/tasks/bob-c/heartbeat",
                "{}",
                "Cookie",
                cookie,
                "Origin",
                self,
                "Content-Type",
                json)
            .status());
    assertEquals(
        200,
        fx.post(
                "/api/tasks/bob-c/heartbeat",
                "{}",
                "Cookie",
                cookie,
                "Sec-Fetch-Site",
                "same-origin",
                "Content-Type",
                json)
            .status());
    assertEquals(200, fx.post("/task/bob-c/events", event("client"), "Cookie", cookie).status());
    Reply record = fx.get("/api/tasks/bob-c", "Authorization", bearer(bob));
    attempt(
        "bob's task was changed cross-site (" + record.body() + ")",
        record.body().contains("\"stop_requested\":true") || record.body().contains("carol"));
  }

  /**
   * 20.8 and issue 12: token edge cases, scopes, one login limiter per process, a per-account
   * limit.
   */
  private void lowerFindings() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String stringExp =
        jwt("HS256", AuthFixture.SECRET, "{\"sub\":\"alice\",\"exp\":\"" + (now + 3600) + "\"}");
    for (String path : List.of("/api/tasks", "/api/tasks/" + VICTIM)) {
      Reply r = fx.get(path, "Authorization", bearer(stringExp));
      attempt(
          "a signed token with a string exp on " + path + " (" + r.status() + ")",
          r.status() != 401);
    }
    Reply ingest =
        fx.post("/task/" + VICTIM + "/events", event("s"), "Authorization", bearer(stringExp));
    attempt(
        "a signed token with a string exp on ingest (" + ingest.status() + ")",
        ingest.status() != 401);
    // an admin token bound to one task
    String scopedRoot =
        bearer(
            jwt(
                "HS256",
                AuthFixture.SECRET,
                "{\"sub\":\"root\",\"exp\":"
                    + (now + 3600)
                    + ",\"roles\":[\"admin\"],\"task\":\"bob-c\"}"));
    attempt(
        "a task-scoped admin token reads another task",
        ok(fx.get("/api/tasks/" + VICTIM, "Authorization", scopedRoot)));
    attempt(
        "a task-scoped admin token ingests into another task",
        ok(fx.post("/task/" + VICTIM + "/events", event("r"), "Authorization", scopedRoot)));
    attempt(
        "a task-scoped admin token watches another task",
        fx.socket("/socket?task_id=" + VICTIM, "Authorization", scopedRoot).opened());
    // a scoped API key lists only its scope
    Reply keyList = fx.get("/api/tasks", "Authorization", bearer(fx.aliceTaskKey));
    assertEquals(200, keyList.status(), keyList.body());
    attempt("alice's task-scoped key lists her other tasks", keyList.body().contains(VICTIM));
    // one login limiter for the process: the page's sign-in and visdom's login share it
    // (sent at once: the limiter counts arrivals, while answers wait for bcrypt)
    List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> page =
        new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      page.add(loginAsync("/auth/login", "{\"username\":\"nobody" + i + "\",\"password\":\"x\"}"));
    }
    List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> visdom =
        new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      visdom.add(
          loginAsync(
              "/",
              "{\"username\":\"nobody-v"
                  + i
                  + "\",\"password\":\""
                  + Passwords.sha256Hex("x")
                  + "\"}"));
    }
    int throttled = 0;
    for (var f : page) {
      throttled += f.get().statusCode() == 429 ? 1 : 0;
    }
    for (var f : visdom) {
      throttled += f.get().statusCode() == 429 ? 1 : 0;
    }
    attempt(
        "the page's sign-in and visdom's login have limiters of their own ("
            + throttled
            + " of 35 throttled)",
        throttled < 35 - 2 * RequestLimitsView.BURST);
    // one account guessed from many addresses
    boolean accountThrottled = false;
    for (int i = 0; i < 15; i++) {
      try (RawHttp c = RawHttp.connect(fx.server.port(), "127.0.0." + (20 + i))) {
        String body = "{\"username\":\"bob\",\"password\":\"guess" + i + "\"}";
        c.write(
            "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:"
                + fx.server.port()
                + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
        int status = RawHttp.status(c.readHead());
        attempt(
            "guess " + i + " of bob's password from address 127.0.0." + (20 + i), status == 200);
        accountThrottled |= status == 429;
      }
    }
    attempt("guessing one account from many addresses is not throttled", !accountThrottled);
    // X-Forwarded-For from a client that is not a trusted proxy does not buy fresh address buckets
    List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> spoofed =
        new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      spoofed.add(
          loginAsync(
              "/auth/login",
              "{\"username\":\"nobody-x" + i + "\",\"password\":\"x\"}",
              "X-Forwarded-For",
              "10.9.0." + i));
    }
    int spoofThrottled = 0;
    for (var f : spoofed) {
      spoofThrottled += f.get().statusCode() == 429 ? 1 : 0;
    }
    attempt(
        "X-Forwarded-For from an untrusted client escapes the address limit", spoofThrottled == 0);
  }

  /** Sign-in attempts per address allowed at once (twice 5/s). */
  static final class RequestLimitsView {
    static final int BURST = 10;
  }

  private java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> loginAsync(
      String path, String body, String... headers) {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + fx.server.port() + path))
            .timeout(java.time.Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return fx.server.jdk.sendAsync(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /**
   * 20.1, 20.4, 20.7 with {@code VIZRELAY_AUTH=none} (the default): DNS rebinding ({@code Host}),
   * cross-site forms, the reply to a form, stalled uploads and idle connections.
   */
  private void openServerAttacks() throws Exception {
    try (TestServer open =
        TestServer.start(dir.resolve("open"), Map.of("VIZRELAY_HTTP_IDLE_TIMEOUT_SECONDS", "2"))) {
      int port = open.port();
      for (String request :
          List.of(
              "GET /api/tasks HTTP/1.1\r\n",
              "GET /static/index.html HTTP/1.1\r\n",
              "POST /task/demo-x/events HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
                  + event("r").length()
                  + "\r\n")) {
        for (String host :
            List.of("evil.example", "evil.example:" + port, "127.0.0.1.nip.io:" + port)) {
          try (RawHttp c = RawHttp.connect(port)) {
            c.write(
                request
                    + "Host: "
                    + host
                    + "\r\n\r\n"
                    + (request.startsWith("POST") ? event("r") : ""));
            int status = RawHttp.status(c.readHead());
            attempt(
                "rebinding: "
                    + request.substring(0, request.indexOf(" HTTP"))
                    + " with Host "
                    + host
                    + " ("
                    + status
                    + ")",
                status != 421);
          }
        }
      }
      try (RawHttp c = RawHttp.connect(port)) {
        c.write(
            RawHttp.upgrade(port, "/socket?task_id=demo-x")
                .replace("Host: 127.0.0.1:" + port, "Host: evil.example:" + port));
        attempt("rebinding: a socket with Host evil.example", RawHttp.status(c.readHead()) == 101);
      }
      for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port)) {
        try (RawHttp c = RawHttp.connect(port)) {
          c.write("GET /api/tasks HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
          assertEquals(200, RawHttp.status(c.readHead()), "Host " + host + " is answered");
        }
      }
      String self = "http://127.0.0.1:" + port;
      String xss =
          "{\"eid\":\"main\",\"win\":\"<script>alert(1)</script>\",\"data\":[{\"x\":[1],\"y\":[2],\"type\":\"scatter\"}],\"layout\":{},\"opts\":{}}";
      Reply form =
          send(
              open,
              "POST",
              "/events",
              xss,
              "Origin",
              "http://evil.example",
              "Content-Type",
              "text/plain");
      attempt(
          "auth=none: a foreign page's text/plain form reaches ingest (" + form.status() + ")",
          ok(form));
      attempt(
          "auth=none: a foreign page stops a task",
          ok(
              send(
                  open,
                  "POST",
                  "/api/tasks/demo-x/stop",
                  "{}",
                  "Origin",
                  "http://evil.example",
                  "Content-Type",
                  "text/plain")));
      attempt(
          "auth=none: a foreign site (Sec-Fetch-Site) deletes a task",
          ok(send(open, "DELETE", "/api/tasks/demo-x", null, "Sec-Fetch-Site", "cross-site")));
      attempt(
          "auth=none: a same-origin text/plain form reaches ingest",
          ok(send(open, "POST", "/events", xss, "Origin", self, "Content-Type", "text/plain")));
      Reply client = send(open, "POST", "/events", xss);
      assertEquals(
          200, client.status(), "the visdom client (no Origin, no content type) still ingests");
      String type = String.valueOf(client.header("Content-Type"));
      attempt("auth=none: the window id comes back as HTML (" + type + ")", type.contains("html"));
      attempt("auth=none: no nosniff", !"nosniff".equals(client.header("X-Content-Type-Options")));
      // a stalled upload and an idle connection are closed by VIZRELAY_HTTP_IDLE_TIMEOUT_SECONDS
      try (RawHttp stalled = RawHttp.connect(port);
          RawHttp idle = RawHttp.connect(port)) {
        stalled.write(
            "POST /events HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nContent-Length: 100000\r\n\r\n{\"eid\":");
        idle.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
        attempt("a stalled upload is kept open", !stalled.closedByServer());
        attempt("an idle keep-alive connection is kept open", !idle.closedByServer());
      }
      // a quiet WebSocket is kept alive past the idle timeout by the server's pings
      Upgrade quiet = socketOn(open, "/socket?task_id=demo-q");
      assertTrue(quiet.opened());
      long until = System.currentTimeMillis() + 5_000;
      while (System.currentTimeMillis() < until && !quiet.ws().isClosed()) {
        Thread.onSpinWait();
      }
      assertTrue(
          !quiet.ws().isClosed(),
          "a quiet WebSocket outlives the idle timeout (pings keep it alive)");
      quiet.ws().close();
    }
  }

  /**
   * 20.8: writes that would create a task past the owner's task limit (ingest by path or body, an
   * env creation, a browser command on a socket watching a task id not created yet) store nothing.
   */
  private void taskLimitAttacks() throws Exception {
    try (TestServer limited =
        TestServer.start(dir.resolve("limited"), Map.of("VIZRELAY_MAX_TASKS_PER_USER", "2"))) {
      assertEquals(200, limited.post("/task/demo-a/events", event("w")).status());
      assertEquals(200, limited.post("/task/demo-b/events", event("w")).status());
      attempt(
          "ingest by path creates a third task",
          ok(send(limited, "POST", "/task/demo-c/events", event("w"))));
      attempt(
          "ingest by body creates a third task",
          ok(
              send(
                  limited,
                  "POST",
                  "/events",
                  event("w").replace("{", "{\"task_id\":\"demo-d\","))));
      attempt(
          "an env creation creates a third task",
          ok(send(limited, "POST", "/env/main", "{\"task_id\":\"demo-e\"}")));
      Upgrade watcher = socketOn(limited, "/socket?task_id=demo-f");
      watcher.await("\"register\"");
      double refusedBefore = limitErrors(limited);
      watcher.ws().writeTextMessage("{\"cmd\":\"save\",\"prev_eid\":\"main\",\"eid\":\"x\"}");
      long deadline = System.currentTimeMillis() + 10_000;
      while (limitErrors(limited) <= refusedBefore && System.currentTimeMillis() < deadline) {
        Thread.onSpinWait();
      }
      attempt(
          "a browser's save was not refused for the limit", limitErrors(limited) <= refusedBefore);
      watcher.ws().close();
      attempt(
          "demo-f was registered past the limit",
          send(limited, "GET", "/api/tasks/demo-f", null).status() != 404);
      for (String id : List.of("demo-c", "demo-d", "demo-e")) {
        attempt(
            "data of " + id + " was stored past the limit",
            send(limited, "DELETE", "/api/tasks/" + id, null).status() != 404);
      }
    }
  }

  private static double limitErrors(TestServer server) throws Exception {
    return MetricsTest.parse(send(server, "GET", "/metrics", null).body())
        .getOrDefault("vizrelay_errors_total{code=\"LIMIT_EXCEEDED\"}", 0.0);
  }

  private static Reply send(
      TestServer server, String method, String path, String body, String... headers)
      throws Exception {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(java.time.Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    java.net.http.HttpResponse<String> r =
        server.jdk.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().map());
  }

  private static Upgrade socketOn(TestServer server, String uri) throws Exception {
    List<String> frames = new ArrayList<>();
    io.vertx.core.http.ClientWebSocket ws = server.wsClient.webSocket();
    ws.textMessageHandler(
        t -> {
          synchronized (frames) {
            frames.add(t);
            frames.notifyAll();
          }
        });
    TestServer.await(
        ws.connect(
            new io.vertx.core.http.WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(server.port())
                .setURI(uri)));
    return new Upgrade(ws, 101, frames);
  }

  /** Issue 18: revocation of API keys and sessions. */
  private void revocationAttacks() throws Exception {
    String id = io.vizrelay.common.auth.ApiKeys.id(fx.aliceKey);
    String path = "/api/auth/api-keys/" + id;
    attempt(
        "bob revokes alice's key", ok(fx.send("DELETE", path, null, "Authorization", bearer(bob))));
    attempt(
        "alice's key revokes itself (keys are never admin)",
        ok(fx.send("DELETE", path, null, "Authorization", bearer(fx.aliceKey))));
    attempt("anonymous revocation", ok(fx.send("DELETE", path, null)));
    attempt(
        "revocation from another site with root's cookie",
        ok(
            fx.send(
                "DELETE",
                path,
                null,
                "Cookie",
                "vizrelay_session=" + token("root", "admin"),
                "Origin",
                "https://evil.example")));
    Reply login =
        fx.post(
            "/auth/login",
            "{\"username\":\"bob\",\"password\":\"bob-pw\"}",
            "Content-Type",
            "application/json");
    String cookie = login.header("Set-Cookie").split(";")[0];
    fx.post("/auth/logout", null, "Cookie", cookie);
    attempt("a signed-out cookie", ok(fx.get("/auth/me", "Cookie", cookie)));
    attempt(
        "a signed-out cookie as a bearer token",
        ok(
            fx.get(
                "/api/tasks", "Authorization", bearer(cookie.substring(cookie.indexOf('=') + 1)))));
    assertEquals(
        204,
        fx.send("DELETE", path, null, "Authorization", bearer(token("root", "admin"))).status());
    attempt("a revoked key lists", ok(fx.get("/api/tasks", "Authorization", bearer(fx.aliceKey))));
    attempt(
        "a revoked key ingests",
        ok(fx.post("/task/alice-k9/events", event("x"), "Authorization", bearer(fx.aliceKey))));
    attempt(
        "a revoked key opens a socket",
        fx.socket("/socket?task_id=" + VICTIM, "Authorization", bearer(fx.aliceKey)).opened());
  }

  /** Issue 18: a server with VIZRELAY_AUTH=oidc and a real provider. */
  private void oidcAttacks() throws Exception {
    io.vertx.core.Vertx idpVertx = io.vertx.core.Vertx.vertx();
    io.vizrelay.common.auth.OidcTestProvider idp =
        io.vizrelay.common.auth.OidcTestProvider.start(idpVertx);
    java.nio.file.Files.createDirectories(dir.resolve("oidc"));
    try (AuthFixture o = AuthFixture.start(dir.resolve("oidc"), OidcFlowTest.env(idp))) {
      io.vizrelay.common.auth.OidcTestProvider.Key k = idp.current();
      String payload = io.vizrelay.common.auth.OidcTestProvider.b64(idp.claims("alice").encode());
      java.util.function.Function<String, Boolean> accepted =
          t -> {
            try {
              return ok(o.get("/api/tasks", "Authorization", bearer(t)));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };
      attempt(
          "oidc: alg none",
          accepted.apply(
              io.vizrelay.common.auth.OidcTestProvider.b64(
                      "{\"alg\":\"none\",\"kid\":\"" + k.kid() + "\"}")
                  + "."
                  + payload
                  + "."));
      String head =
          io.vizrelay.common.auth.OidcTestProvider.b64(
                  "{\"alg\":\"HS256\",\"kid\":\"" + k.kid() + "\"}")
              + "."
              + payload;
      attempt(
          "oidc: HS256 keyed with the provider's public key",
          accepted.apply(
              head
                  + "."
                  + io.vizrelay.common.auth.OidcTestProvider.b64(
                      hmacBytes(k.pair().getPublic().getEncoded(), head))));
      attempt("oidc: the session secret as a bearer token", accepted.apply(token("root", "admin")));
      attempt(
          "oidc: wrong issuer",
          accepted.apply(
              io.vizrelay.common.auth.OidcTestProvider.sign(
                  k, idp.claims("alice").put("iss", "http://evil.example"))));
      attempt(
          "oidc: wrong audience",
          accepted.apply(
              io.vizrelay.common.auth.OidcTestProvider.sign(
                  k, idp.claims("alice").put("aud", "other"))));
      attempt(
          "oidc: expired",
          accepted.apply(
              io.vizrelay.common.auth.OidcTestProvider.sign(
                  k, idp.claims("alice").put("exp", System.currentTimeMillis() / 1000 - 60))));
      io.vizrelay.common.auth.OidcTestProvider.Key stranger = idp.rotate("RS256");
      idp.retire(stranger);
      attempt(
          "oidc: an unpublished key's token",
          accepted.apply(
              io.vizrelay.common.auth.OidcTestProvider.sign(stranger, idp.claims("alice"))));
      attempt(
          "oidc: an unpublished key under a published kid",
          accepted.apply(
              io.vizrelay.common.auth.OidcTestProvider.sign(
                  stranger,
                  new io.vertx.core.json.JsonObject().put("alg", "RS256").put("kid", k.kid()),
                  idp.claims("alice"))));
      attempt(
          "oidc: an admin claim under another name",
          new io.vertx.core.json.JsonObject(
                  o.get(
                          "/auth/me",
                          "Authorization",
                          bearer(
                              io.vizrelay.common.auth.OidcTestProvider.sign(
                                  k,
                                  idp.claims("mallory")
                                      .put(
                                          "roles",
                                          new io.vertx.core.json.JsonArray().add("admin")))))
                      .body())
              .getJsonArray("roles")
              .contains("admin"));
      Reply flow = o.get("/auth/oidc/login?return=/");
      String flowCookie = flow.header("Set-Cookie").split(";")[0];
      attempt(
          "oidc: the flow cookie as a session",
          ok(
              o.get(
                  "/auth/me",
                  "Cookie",
                  "vizrelay_session=" + flowCookie.substring(flowCookie.indexOf('=') + 1))));
      Reply noCookie = o.get("/auth/oidc/callback?code=x&state=y");
      attempt(
          "oidc: a callback without the flow cookie",
          noCookie.status() == 302 || sessionSet(noCookie));
      Reply forged = o.get("/auth/oidc/callback?code=x&state=forged", "Cookie", flowCookie);
      attempt("oidc: a callback with a forged state", forged.status() == 302 || sessionSet(forged));
      Reply evil = o.get("/auth/oidc/login?return=//evil.example/x");
      java.net.http.HttpResponse<String> atIdp =
          o.server.jdk.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(evil.header("Location")))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      String callback = atIdp.headers().firstValue("Location").orElseThrow();
      Reply back =
          o.get(
              callback.substring(callback.indexOf("/auth/oidc/callback")),
              "Cookie",
              evil.header("Set-Cookie").split(";")[0]);
      attempt(
          "oidc: an open redirect after the sign-in (" + back.header("Location") + ")",
          back.status() != 302 || !"/".equals(back.header("Location")));
      attempt(
          "oidc: a used code again",
          sessionSet(
              o.get(
                  callback.substring(callback.indexOf("/auth/oidc/callback")),
                  "Cookie",
                  evil.header("Set-Cookie").split(";")[0])));
    } finally {
      idp.close();
      idpVertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** True when the reply sets a non-empty session cookie. */
  private static boolean sessionSet(Reply r) {
    return r.headers().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase("Set-Cookie"))
        .flatMap(e -> e.getValue().stream())
        .anyMatch(c -> c.startsWith("vizrelay_session=") && !c.startsWith("vizrelay_session=;"));
  }

  private static byte[] hmacBytes(byte[] secret, String data) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
    return mac.doFinal(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
