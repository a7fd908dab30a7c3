package io.vizrelay.app;

import static io.vizrelay.app.AuthFixture.bearer;
import static io.vizrelay.app.AuthFixture.claims;
import static io.vizrelay.app.AuthFixture.event;
import static io.vizrelay.app.AuthFixture.jwt;
import static io.vizrelay.app.AuthFixture.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * nested bodies; path traversal and control characters in ids; header injection; and against
 * {@code alice-shared}, shared read-only with bob: bob writing to it in every way (registry, ingest,
 * socket commands, changing its sharing), an unshared user watching it, bob after the unsharing. Prints
 * {@code security suite: N attempts, 0 successes} and asserts there were no successes.
 */
class SecuritySuiteTest {
  static final String VICTIM = "alice-secret";
  static final String SHARED = "alice-shared";

  @TempDir
  Path dir;
  AuthFixture fx;
  String alice;
  String bob;
  int attempts;
  final List<String> successes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fx = AuthFixture.start(dir, Map.of());
    alice = token("alice");
    bob = token("bob");
    assertEquals(201, fx.post("/api/tasks", "{\"task_id\":\"" + VICTIM + "\"}", "Authorization", bearer(alice)).status());
    assertEquals(200, fx.post("/task/" + VICTIM + "/events", event("private"), "Authorization", bearer(alice)).status());
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
    passwordGuessing();
    sharingAttacks();
    System.out.println("security suite: " + attempts + " attempts, " + successes.size() + " successes");
    assertTrue(attempts >= 80, "the suite ran its attacks: " + attempts);
    assertEquals(List.of(), successes, "attacks that succeeded");
  }

  private void socketAttacks() throws Exception {
    List<String> uris = List.of("/socket?task_id=" + VICTIM, "/task/" + VICTIM + "/socket",
        "/socket?task_id=" + VICTIM + "&env=main", "/socket?task_id=" + VICTIM + "&since=x:0",
        "/vis_socket?task_id=" + VICTIM, "/task/" + VICTIM + "/vis_socket", "/socket", "/vis_socket");
    for (String uri : uris) {
      Upgrade asBob = fx.socket(uri, "Authorization", bearer(bob));
      attempt("bob opens " + uri + " (" + asBob.status() + ")", asBob.status() != 403);
      Upgrade anonymous = fx.socket(uri);
      attempt("anonymous opens " + uri + " (" + anonymous.status() + ")", anonymous.status() != 401);
      Upgrade bobCookie = fx.socket(uri, "Cookie", "vizrelay_session=" + bob);
      attempt("bob's cookie opens " + uri, bobCookie.opened());
    }
    for (String origin : List.of("http://evil.example", "null", "http://127.0.0.1.evil.example", "file://",
        "http://127.0.0.1:1")) {
      Upgrade cross = fx.socket("/socket?task_id=" + VICTIM, "Authorization", bearer(alice), "Origin", origin);
      attempt("alice's credential from origin " + origin + " (" + cross.status() + ")", cross.status() != 403);
      Upgrade crossVis = fx.socket("/vis_socket?task_id=" + VICTIM, "Authorization", bearer(alice), "Origin", origin);
      attempt("vis_socket from origin " + origin, crossVis.opened());
    }
  }

  /** Tokens that claim to be alice (or admin) without the server's key, or no longer valid. */
  private Map<String, String> forgedTokens() {
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("alg:none", jwt("none", null, claims("alice", now + 3600)));
    forged.put("alg:NONE", jwt("NONE", null, claims("alice", now + 3600)));
    forged.put("wrong key", jwt("HS256", "another-secret-another-secret-another-secret", claims("alice", now + 3600)));
    forged.put("expired", jwt("HS256", AuthFixture.SECRET, claims("alice", now - 3600)));
    forged.put("no exp", jwt("HS256", AuthFixture.SECRET, claims("alice", null)));
    forged.put("admin role, wrong key", jwt("HS256", "x".repeat(40), claims("bob", now + 3600, "admin")));
    String[] bobParts = bob.split("\\.");
    forged.put("bob's signature on alice's claims", bobParts[0] + "." + AuthFixture.b64(claims("alice", now + 3600)) + "." + bobParts[2]);
    forged.put("bob's signature on bob-as-admin", bobParts[0] + "." + AuthFixture.b64(claims("bob", now + 3600, "admin")) + "." + bobParts[2]);
    forged.put("RS256 header, HMAC signature", jwt("RS256", AuthFixture.SECRET, claims("alice", now + 3600)).replace(
        AuthFixture.b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"), AuthFixture.b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")));
    forged.put("signature stripped", bobParts[0] + "." + bobParts[1] + ".");
    forged.put("garbage", "abc.def.ghi");
    forged.put("empty", "");
    forged.put("user with dash", jwt("HS256", AuthFixture.SECRET, claims("alice-secret", now + 3600)));
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
      Reply ingest = fx.post("/task/" + VICTIM + "/events", event("forged"), "Authorization", bearer(t));
      attempt(name + ": ingest (" + ingest.status() + ")", ingest.status() != 401);
      Reply stop = fx.post("/api/tasks/" + VICTIM + "/stop", "{}", "Authorization", bearer(t));
      attempt(name + ": stop", ok(stop));
    }
    Reply basic = fx.get("/api/tasks", "Authorization", "Basic YWxpY2U6YWxpY2UtcHc=");
    attempt("Basic credentials", basic.status() != 401);
    Reply none = fx.get("/api/tasks");
    attempt("list without a credential", none.status() != 401 || !"Bearer realm=\"vizrelay\"".equals(none.header("WWW-Authenticate")));
    Reply noIngest = fx.post("/events", event("anon"));
    attempt("ingest without a credential", noIngest.status() != 401);
    Reply noStats = fx.get("/api/relay/stats");
    attempt("relay stats without a credential", ok(noStats));
    Reply bobStats = fx.get("/api/relay/stats", "Authorization", bearer(bob));
    attempt("relay stats as a non-admin", ok(bobStats));
  }

  private void registryAttacks() throws Exception {
    String b = bearer(bob);
    attempt("bob lists alice's tasks", fx.get("/api/tasks?user_id=alice", "Authorization", b).status() != 403);
    attempt("bob's own list shows alice's task", fx.get("/api/tasks", "Authorization", b).body().contains(VICTIM));
    attempt("bob gets alice's task", fx.get("/api/tasks/" + VICTIM, "Authorization", b).status() != 403);
    attempt("bob gets an unknown task of alice (probing)", fx.get("/api/tasks/alice-nothing", "Authorization", b).status() != 403);
    attempt("bob stops alice's task", fx.post("/api/tasks/" + VICTIM + "/stop", "{}", "Authorization", b).status() != 403);
    attempt("bob polls alice's control", fx.get("/api/tasks/" + VICTIM + "/control?timeout=0", "Authorization", b).status() != 403);
    attempt("bob heartbeats alice's task", fx.post("/api/tasks/" + VICTIM + "/heartbeat", "{}", "Authorization", b).status() != 403);
    attempt("bob finishes alice's task", ok(fx.post("/api/tasks/" + VICTIM + "/finish", "{\"status\":\"failed\",\"exit_code\":1}", "Authorization", b)));
    attempt("bob deletes alice's task", fx.send("DELETE", "/api/tasks/" + VICTIM, null, "Authorization", b).status() != 403);
    attempt("bob re-registers alice's task", ok(fx.post("/api/tasks", "{\"task_id\":\"" + VICTIM + "\"}", "Authorization", b)));
    attempt("bob registers a task for alice", ok(fx.post("/api/tasks", "{\"task_id\":\"bob-x\",\"user_id\":\"alice\"}", "Authorization", b)));
    attempt("bob registers an alice- task", ok(fx.post("/api/tasks", "{\"task_id\":\"alice-new\"}", "Authorization", b)));
    attempt("bob registers the default task", ok(fx.post("/api/tasks", "{\"task_id\":\"default\"}", "Authorization", b)));
    attempt("alice's task-scoped key stops another of her tasks",
        ok(fx.post("/api/tasks/" + VICTIM + "/stop", "{}", "Authorization", bearer(fx.aliceTaskKey))));
    Reply record = fx.get("/api/tasks/" + VICTIM, "Authorization", bearer(alice));
    assertEquals(200, record.status(), record.body());
    attempt("alice's task was changed by someone else", record.body().contains("\"stop_requested\":true")
        || !record.body().contains("\"status\":\"running\""));
  }

  private void ingestAttacks() throws Exception {
    String b = bearer(bob);
    attempt("bob ingests by path", fx.post("/task/" + VICTIM + "/events", event("x"), "Authorization", b).status() != 403);
    attempt("bob ingests by body task_id", fx.post("/events",
        "{\"task_id\":\"" + VICTIM + "\"," + event("x").substring(1), "Authorization", b).status() != 403);
    attempt("bob ingests to the default task", fx.post("/events", event("x"), "Authorization", b).status() != 403);
    attempt("bob creates an env in alice's task", ok(fx.post("/task/" + VICTIM + "/env/main", "{}", "Authorization", b)));
    attempt("bob closes alice's window", ok(fx.post("/task/" + VICTIM + "/close", "{\"eid\":\"main\",\"win\":\"private\"}", "Authorization", b)));
    attempt("bob reads alice's window through win_data", ok(fx.post("/task/" + VICTIM + "/win_data", "{\"eid\":\"main\",\"win\":\"private\"}", "Authorization", b)));
    attempt("bob reads alice's envs through env_state", ok(fx.post("/task/" + VICTIM + "/env_state", "{}", "Authorization", b)));
    attempt("bob deletes alice's env", ok(fx.post("/task/" + VICTIM + "/delete_env", "{\"eid\":\"main\"}", "Authorization", b)));
    attempt("alice's task-scoped key writes to another of her tasks", ok(fx.post("/task/" + VICTIM + "/events", event("x"),
        "Authorization", bearer(fx.aliceTaskKey))));
    attempt("alice's key writes to bob's task", ok(fx.post("/task/bob-t/events", event("x"), "Authorization", bearer(fx.aliceKey))));
    // bob takes over alice's browser session by its sid (visdom's POST /env/<eid> {sid})
    Upgrade aliceBrowser = fx.socket("/socket?task_id=" + VICTIM, "Authorization", bearer(alice));
    assertTrue(aliceBrowser.opened());
    String register = aliceBrowser.await("\"register\"");
    String sid = io.vizrelay.common.json.Json.parseTrusted(register.getBytes()).path("data").asText();
    attempt("bob switches alice's browser session", ok(fx.post("/env/other", "{\"sid\":\"" + sid + "\"}", "Authorization", b)));
    aliceBrowser.ws().close();
    // visdom's login and the sign-in page with wrong passwords
    Reply visdom = fx.post("/task/" + VICTIM, "{\"username\":\"alice\",\"password\":\"" + Passwords.sha256Hex("wrong") + "\"}");
    attempt("visdom login with a wrong password (" + visdom.status() + ")", visdom.status() != 400 || visdom.hasHeader("Set-Cookie"));
    Reply visdomUnknown = fx.post("/", "{\"username\":\"mallory\",\"password\":\"" + Passwords.sha256Hex("x") + "\"}");
    attempt("visdom login as an unknown user", ok(visdomUnknown) || visdomUnknown.hasHeader("Set-Cookie"));
    Reply visdomPlain = fx.post("/", "{\"username\":\"alice\",\"password\":\"alice-pw\"}");
    attempt("visdom login with the plain password instead of its hash", ok(visdomPlain));
    Reply page = fx.post("/auth/login", "{\"username\":\"alice\",\"password\":\"wrong\"}");
    attempt("sign-in with a wrong password (" + page.status() + ")", page.status() != 401 || page.hasHeader("Set-Cookie"));
    Reply pageHash = fx.post("/auth/login", "{\"username\":\"alice\",\"password\":\"" + Passwords.sha256Hex("alice-pw") + "\"}");
    attempt("sign-in with the stored hash's input instead of the password", ok(pageHash));
  }

  private void bodyAndIdAttacks() throws Exception {
    String a = bearer(alice);
    String big = "{\"eid\":\"main\",\"win\":\"big\",\"data\":[{\"x\":[1],\"y\":[2],\"pad\":\"" + "x".repeat(100_000) + "\"}]}";
    Reply oversized = fx.post("/task/" + VICTIM + "/events", big, "Authorization", a);
    attempt("oversized ingest body (" + oversized.status() + ")", oversized.status() != 413);
    attempt("oversized registry body", ok(fx.post("/api/tasks", "{\"task_id\":\"alice-big\",\"meta\":{\"p\":\""
        + "x".repeat(70_000) + "\"}}", "Authorization", a)));
    attempt("oversized sign-in body", ok(fx.post("/auth/login", "{\"username\":\"alice\",\"password\":\"" + "x".repeat(10_000) + "\"}")));
    String deep = "[".repeat(5000) + "]".repeat(5000);
    Reply nested = fx.post("/task/" + VICTIM + "/events", "{\"eid\":\"main\",\"win\":\"deep\",\"data\":" + deep + "}", "Authorization", a);
    attempt("deeply nested ingest body (" + nested.status() + ")", nested.status() != 400);
    attempt("deeply nested registry body", ok(fx.post("/api/tasks", "{\"task_id\":\"alice-deep\",\"meta\":" + deep.replace('[', '{').replace(']', '}') + "}", "Authorization", a)));
    attempt("deeply nested sign-in body", ok(fx.post("/auth/login", "{\"username\":" + deep + "}")));
    // control characters in env and window ids
    attempt("control character in env id", ok(fx.post("/task/" + VICTIM + "/events",
        "{\"eid\":\"ma\\u0001in\",\"win\":\"w\",\"data\":[{\"x\":[1],\"y\":[2]}]}", "Authorization", a)));
    attempt("newline in window id", ok(fx.post("/task/" + VICTIM + "/events",
        "{\"eid\":\"main\",\"win\":\"w\\r\\nX-Injected: yes\",\"data\":[{\"x\":[1],\"y\":[2]}]}", "Authorization", a)));
    attempt("control character in env path", ok(fx.post("/task/" + VICTIM + "/env/a%07b", "{}", "Authorization", a)));
    Upgrade ctlEnv = fx.socket("/socket?task_id=" + VICTIM + "&env=a%00b", "Authorization", a);
    attempt("control character in socket env", ctlEnv.opened());
    // path traversal in env, window and task ids, and the static files
    Path outside = dir.resolve("pwned");
    Reply traversal = fx.post("/task/" + VICTIM + "/events", "{\"eid\":\"../../../../" + outside + "\",\"win\":\"../../w\","
        + "\"data\":[{\"x\":[1],\"y\":[2]}]}", "Authorization", a);
    Reply envs = fx.post("/task/" + VICTIM + "/env_state", "{}", "Authorization", a);
    attempt("env id with ../ kept as a path", ok(traversal) && envs.body().contains("../") || Files.exists(outside));
    Reply envPath = fx.post("/task/" + VICTIM + "/env/..%2F..%2Fetc", "{}", "Authorization", a);
    attempt("env path with encoded ../", Files.exists(dir.resolve("etc")) || ok(envPath) && fx.post("/task/" + VICTIM + "/env_state", "{}", "Authorization", a).body().contains("../"));
    for (String task : List.of("..%2F..%2Fetc", "alice-..%2F..%2Fx", "alice-%2E%2E%2Fbob-t", "alice-a%0Db")) {
      attempt("task id " + task + " on ingest", ok(fx.post("/task/" + task + "/events", event("t"), "Authorization", a)));
      attempt("task id " + task + " on socket", fx.socket("/socket?task_id=" + task, "Authorization", a).opened());
      attempt("task id " + task + " on registry", ok(fx.get("/api/tasks/" + task, "Authorization", a)));
    }
    for (String path : List.of("/static/../../pom.xml", "/static/..%2F..%2F..%2Fpom.xml", "/static/%2e%2e/%2e%2e/pom.xml",
        "/webjars/..%2F..%2F..%2Fetc/passwd")) {
      Reply r = fx.get(path);
      attempt("static traversal " + path, ok(r) && (r.body().contains("<project") || r.body().contains("root:")));
    }
  }

  /** alice shares {@value #SHARED} with bob, read-only: every write of bob's and every read of carol's fails. */
  private void sharingAttacks() throws Exception {
    String a = bearer(alice);
    String b = bearer(bob);
    String carol = bearer(token("carol"));
    assertEquals(201, fx.post("/api/tasks", "{\"task_id\":\"" + SHARED + "\"}", "Authorization", a).status());
    assertEquals(200, fx.post("/task/" + SHARED + "/events", event("w"), "Authorization", a).status());
    assertEquals(200, fx.send("PUT", "/api/tasks/" + SHARED + "/shared_with", "{\"users\":[\"bob\"]}", "Authorization", a).status());
    assertEquals(200, fx.get("/api/tasks/" + SHARED, "Authorization", b).status(), "bob reads the shared task");
    // the registry: bob may read, never write
    String t = "/api/tasks/" + SHARED;
    attempt("shared: bob stops it", ok(fx.post(t + "/stop", "{}", "Authorization", b)));
    attempt("shared: bob deletes it", ok(fx.send("DELETE", t, null, "Authorization", b)));
    attempt("shared: bob finishes it", ok(fx.post(t + "/finish", "{\"status\":\"failed\",\"exit_code\":1}", "Authorization", b)));
    attempt("shared: bob heartbeats it", ok(fx.post(t + "/heartbeat", "{}", "Authorization", b)));
    attempt("shared: bob polls its control", ok(fx.get(t + "/control?timeout=0", "Authorization", b)));
    attempt("shared: bob re-registers it", ok(fx.post("/api/tasks", "{\"task_id\":\"" + SHARED + "\"}", "Authorization", b)));
    attempt("shared: bob shares it further", fx.send("PUT", t + "/shared_with", "{\"users\":[\"bob\",\"carol\"]}", "Authorization", b).status() != 403);
    attempt("shared: bob unshares it", fx.send("PUT", t + "/shared_with", "{\"users\":[]}", "Authorization", b).status() != 403);
    attempt("bob shares alice's unshared task with himself", fx.send("PUT", "/api/tasks/" + VICTIM + "/shared_with",
        "{\"users\":[\"bob\"]}", "Authorization", b).status() != 403);
    attempt("bob probes an unknown task's sharing", fx.send("PUT", "/api/tasks/alice-nothing/shared_with",
        "{\"users\":[\"bob\"]}", "Authorization", b).status() != 403);
    attempt("shared: bob lists alice's tasks through scope=shared", fx.get("/api/tasks?scope=shared&user_id=alice", "Authorization", b).status() != 403);
    // ingest: owner only
    attempt("shared: bob ingests by path", ok(fx.post("/task/" + SHARED + "/events", event("bob"), "Authorization", b)));
    attempt("shared: bob ingests by body task_id", ok(fx.post("/events", "{\"task_id\":\"" + SHARED + "\"," + event("bob").substring(1), "Authorization", b)));
    attempt("shared: bob closes a window over HTTP", ok(fx.post("/task/" + SHARED + "/close", "{\"eid\":\"main\",\"win\":\"w\"}", "Authorization", b)));
    attempt("shared: bob deletes the env over HTTP", ok(fx.post("/task/" + SHARED + "/delete_env", "{\"eid\":\"main\"}", "Authorization", b)));
    attempt("shared: bob opens its vis_socket", fx.socket("/vis_socket?task_id=" + SHARED, "Authorization", b).opened());
    // the socket: bob watches read-only; his commands change nothing and reach no job
    Upgrade job = fx.socket("/vis_socket?task_id=" + SHARED, "Authorization", a);
    assertTrue(job.opened());
    Upgrade aliceBrowser = fx.socket("/socket?task_id=" + SHARED, "Authorization", a);
    assertTrue(aliceBrowser.opened());
    String aliceSid = io.vizrelay.common.json.Json.parseTrusted(aliceBrowser.await("\"register\"").getBytes()).path("data").asText();
    for (String uri : List.of("/socket?task_id=" + SHARED, "/task/" + SHARED + "/socket")) {
      Upgrade ws = fx.socket(uri, "Authorization", b);
      assertTrue(ws.opened(), "bob watches the shared task: " + ws.status());
      boolean readonly = io.vizrelay.common.json.Json.parseTrusted(ws.await("\"register\"").getBytes()).path("readonly").asBoolean(false);
      attempt("shared: bob's socket " + uri + " is not read-only", !readonly);
      ws.ws().close();
    }
    Upgrade bobBrowser = fx.socket("/socket?task_id=" + SHARED, "Authorization", b);
    bobBrowser.await("\"register\"");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"close\",\"eid\":\"main\",\"data\":\"w\"}");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"layout_item_update\",\"eid\":\"main\",\"win\":\"w\",\"data\":{\"title\":\"bob\"}}");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"save\",\"prev_eid\":\"main\",\"eid\":\"bobcopy\",\"data\":{}}");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"forward_to_vis\",\"data\":{\"event_type\":\"KeyPress\",\"key\":\"bob-forward\",\"pane_data\":false}}");
    bobBrowser.ws().writeTextMessage("{\"cmd\":\"delete_env\",\"eid\":\"main\"}");
    Thread.sleep(500);
    aliceBrowser.ws().writeTextMessage("{\"cmd\":\"forward_to_vis\",\"data\":{\"event_type\":\"KeyPress\",\"key\":\"alice-forward\",\"pane_data\":false}}");
    job.await("alice-forward");
    assertEquals(200, fx.post("/task/" + SHARED + "/events", event("marker"), "Authorization", a).status());
    bobBrowser.await("\"marker\"");
    Thread.sleep(200);
    List<String> aliceFrames;
    synchronized (aliceBrowser.frames()) {
      aliceFrames = List.copyOf(aliceBrowser.frames());
    }
    List<String> jobFrames;
    synchronized (job.frames()) {
      jobFrames = List.copyOf(job.frames());
    }
    attempt("shared: bob's forward_to_vis reached the job", jobFrames.stream().anyMatch(f -> f.contains("bob-forward")));
    attempt("shared: bob's close reached alice's browser", aliceFrames.stream().anyMatch(f -> f.contains("\"command\":\"close\"")));
    attempt("shared: bob's layout change reached alice's browser", aliceFrames.stream().anyMatch(f -> f.contains("\"bob\"")));
    attempt("shared: bob's socket closed alice's window", !ok(fx.post("/task/" + SHARED + "/win_data", "{\"eid\":\"main\",\"win\":\"w\"}", "Authorization", a)));
    String envs = fx.post("/task/" + SHARED + "/env_state", "{}", "Authorization", a).body();
    attempt("shared: bob's socket saved or deleted an env (" + envs + ")", envs.contains("bobcopy") || !envs.contains("main"));
    attempt("shared: bob switches alice's browser session", ok(fx.post("/env/other", "{\"sid\":\"" + aliceSid + "\"}", "Authorization", b)));
    Reply record = fx.get("/api/tasks/" + SHARED, "Authorization", a);
    attempt("shared: the task was changed by bob (" + record.body() + ")", record.body().contains("\"stop_requested\":true")
        || !record.body().contains("\"status\":\"running\"") || !record.body().contains("\"shared_with\":[\"bob\"]"));
    // carol: the task is not shared with her
    attempt("unshared: carol watches it", fx.socket("/socket?task_id=" + SHARED, "Authorization", carol).status() != 403);
    attempt("unshared: carol watches it by path", fx.socket("/task/" + SHARED + "/socket", "Authorization", carol).status() != 403);
    attempt("unshared: carol gets it", fx.get("/api/tasks/" + SHARED, "Authorization", carol).status() != 403);
    attempt("unshared: carol lists it as shared", fx.get("/api/tasks?scope=shared", "Authorization", carol).body().contains(SHARED));
    attempt("unshared: carol lists bob's shared tasks", fx.get("/api/tasks?scope=shared&user_id=bob", "Authorization", carol).status() != 403);
    attempt("unshared: anonymous watches it", fx.socket("/socket?task_id=" + SHARED).status() != 401);
    attempt("unshared: carol watches an unknown task (probing)", fx.socket("/socket?task_id=alice-nothing", "Authorization", carol).status() != 403);
    // alice unshares: bob is out
    assertEquals(200, fx.send("PUT", "/api/tasks/" + SHARED + "/shared_with", "{\"users\":[]}", "Authorization", a).status());
    long deadline = System.currentTimeMillis() + 10_000;
    while (!bobBrowser.ws().isClosed() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    attempt("unshared: bob's open socket stays open", !bobBrowser.ws().isClosed());
    attempt("unshared: bob watches it again", fx.socket("/socket?task_id=" + SHARED, "Authorization", b).status() != 403);
    attempt("unshared: bob gets it", fx.get("/api/tasks/" + SHARED, "Authorization", b).status() != 403);
    attempt("unshared: bob still lists it", fx.get("/api/tasks?scope=shared", "Authorization", b).body().contains(SHARED));
    aliceBrowser.ws().close();
    job.ws().close();
  }

  /** Rapid wrong passwords from one address are throttled (429 with Retry-After), not answered forever. */
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
    Reply r2 = fx.post("/auth/login", "{\"username\":\"alice\\r\\nX-Injected: yes\",\"password\":\"alice-pw\"}");
    attempt("CRLF in a sign-in user name", r2.hasHeader("X-Injected") || ok(r2));
    Reply r3 = fx.post("/task/alice-x%0D%0ASet-Cookie:%20vizrelay_session=evil/events", event("h"), "Authorization", a);
    attempt("CRLF in an ingest task id", r3.hasHeader("X-Injected") || String.valueOf(r3.header("Set-Cookie")).contains("evil"));
    Reply r4 = fx.post("/task/" + VICTIM + "/events", "{\"eid\":\"main\\r\\nX-Injected: yes\",\"win\":\"h\",\"data\":[{\"x\":[1],\"y\":[2]}]}", "Authorization", a);
    attempt("CRLF in an env id", r4.hasHeader("X-Injected"));
    Upgrade ws = fx.socket("/socket?task_id=alice-x%0D%0AX-Injected:%20yes", "Authorization", a);
    attempt("CRLF in a socket task id", ws.opened());
    Reply r5 = fx.get("/api/tasks?user_id=alice%0D%0AX-Injected:%20yes", "Authorization", a);
    attempt("CRLF in a list query", r5.hasHeader("X-Injected") || ok(r5));
  }
}
