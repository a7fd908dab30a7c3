package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vizrelay.common.auth.OidcTestProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code VIZRELAY_AUTH=oidc} end to end over HTTP against a real provider ({@link
 * OidcTestProvider}): the code flow with PKCE sets the session cookie, sign-out ends it, bearer
 * tokens of the provider work, and the flow refuses a wrong state, a missing flow cookie, a
 * replayed code and a foreign return address.
 */
class OidcFlowTest {
  @TempDir Path dir;
  Vertx idpVertx;
  OidcTestProvider idp;
  AuthFixture f;
  final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // no redirects followed

  static Map<String, String> env(OidcTestProvider idp) {
    Map<String, String> env = new HashMap<>();
    env.put("VIZRELAY_AUTH", "oidc");
    env.put("VIZRELAY_OIDC_ISSUER", idp.issuer());
    env.put("VIZRELAY_OIDC_CLIENT_ID", OidcTestProvider.CLIENT_ID);
    env.put("VIZRELAY_OIDC_CLIENT_SECRET", OidcTestProvider.CLIENT_SECRET);
    env.put("VIZRELAY_OIDC_ADMIN_CLAIM", "groups");
    env.put("VIZRELAY_OIDC_ADMIN_VALUE", "vizrelay-admins");
    return env;
  }

  @BeforeEach
  void start() throws Exception {
    idpVertx = Vertx.vertx();
    idp = OidcTestProvider.start(idpVertx);
    f = AuthFixture.start(dir, env(idp));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (f != null) {
        f.close();
      }
    } finally {
      try {
        idp.close();
      } finally {
        idpVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String base() {
    return "http://127.0.0.1:" + f.server.port();
  }

  static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .map(c -> c.split(";")[0])
        .findFirst()
        .orElse(null);
  }

  /** The browser's steps up to the callback: the flow cookie and the callback URL. */
  record Started(String flowCookie, String callback, String authorizeUrl) {}

  Started begin(String back) throws Exception {
    HttpResponse<String> login =
        get(base() + "/auth/oidc/login?return=" + java.net.URLEncoder.encode(back, "UTF-8"));
    assertEquals(302, login.statusCode());
    String authorize = login.headers().firstValue("Location").orElseThrow();
    assertTrue(authorize.startsWith(idp.issuer() + "/protocol/openid-connect/auth?"), authorize);
    assertTrue(authorize.contains("code_challenge_method=S256"), authorize);
    assertTrue(authorize.contains("nonce="), authorize);
    String flow = cookie(login, "vizrelay_oidc");
    assertNotNull(flow);
    assertTrue(
        login.headers().allValues("Set-Cookie").stream()
            .anyMatch(
                c ->
                    c.startsWith("vizrelay_oidc=")
                        && c.toLowerCase().contains("httponly")
                        && c.toLowerCase().contains("samesite=lax")),
        login.headers().allValues("Set-Cookie").toString());
    HttpResponse<String> atIdp = get(authorize);
    assertEquals(302, atIdp.statusCode(), atIdp.body());
    return new Started(flow, atIdp.headers().firstValue("Location").orElseThrow(), authorize);
  }

  @Test
  void codeFlowSignsInAndSignOutEndsTheSession() throws Exception {
    AuthFixture.Reply config = f.get("/auth/config");
    assertEquals(200, config.status());
    JsonObject cfg = new JsonObject(config.body());
    assertEquals("oidc", cfg.getString("auth"));
    assertEquals(idp.issuer(), cfg.getJsonObject("oidc").getString("issuer"));

    Started s = begin("/?task_id=alice-oidc");
    HttpResponse<String> back = get(s.callback(), "Cookie", s.flowCookie());
    assertEquals(302, back.statusCode(), back.body());
    assertEquals("/?task_id=alice-oidc", back.headers().firstValue("Location").orElseThrow());
    String session = cookie(back, "vizrelay_session");
    assertNotNull(session, "session cookie set");
    assertTrue(session.length() > "vizrelay_session=".length());

    AuthFixture.Reply me = f.get("/auth/me", "Cookie", session);
    assertEquals(200, me.status(), me.body());
    assertEquals("alice", new JsonObject(me.body()).getString("user_id"));
    assertEquals("oidc", new JsonObject(me.body()).getString("auth"));
    AuthFixture.Reply update =
        f.post(
            "/events",
            AuthFixture.event("w").replace("\"eid\"", "\"task_id\":\"alice-oidc\",\"eid\""),
            "Cookie",
            session);
    assertEquals(200, update.status(), update.body());

    AuthFixture.Reply out = f.post("/auth/logout", null, "Cookie", session);
    assertEquals(204, out.status());
    assertEquals(
        401, f.get("/auth/me", "Cookie", session).status(), "the signed-out cookie is refused");
    assertEquals(401, f.get("/api/tasks", "Cookie", session).status());
  }

  @Test
  void adminClaimMakesAnAdmin() throws Exception {
    idp.nextUser = "root";
    idp.nextClaims = new JsonObject().put("groups", new JsonArray().add("vizrelay-admins"));
    Started s = begin("/");
    String session = cookie(get(s.callback(), "Cookie", s.flowCookie()), "vizrelay_session");
    JsonObject me = new JsonObject(f.get("/auth/me", "Cookie", session).body());
    assertEquals("root", me.getString("user_id"));
    assertTrue(me.getJsonArray("roles").contains("admin"), me.encode());
  }

  @Test
  void providerBearerTokensWorkAndOthersAreRefused() throws Exception {
    assertEquals(
        200, f.get("/api/tasks", "Authorization", "Bearer " + idp.token("alice")).status());
    assertEquals(
        401,
        f.get("/api/tasks", "Authorization", "Bearer " + AuthFixture.token("alice")).status(),
        "an HS256 token of the session secret is not a bearer token in oidc mode");
    assertEquals(
        200,
        f.get("/api/tasks", "Authorization", "Bearer " + f.aliceKey).status(),
        "API keys still work");
  }

  @Test
  void theFlowRefusesForgeriesAndReplays() throws Exception {
    Started s = begin("/");
    String wrongState = s.callback().replaceAll("state=[^&]+", "state=forged");
    HttpResponse<String> forged = get(wrongState, "Cookie", s.flowCookie());
    assertEquals(400, forged.statusCode(), forged.body());
    assertNull(cookie(forged, "vizrelay_session"), "no session for a forged state");

    Started t = begin("/");
    HttpResponse<String> noCookie = get(t.callback());
    assertEquals(400, noCookie.statusCode(), "no flow cookie (login CSRF)");
    HttpResponse<String> otherBrowser = get(t.callback(), "Cookie", s.flowCookie());
    assertEquals(400, otherBrowser.statusCode(), "another sign-in's flow cookie");

    Started u = begin("//evil.example/x");
    HttpResponse<String> ok = get(u.callback(), "Cookie", u.flowCookie());
    assertEquals(302, ok.statusCode());
    assertEquals("/", ok.headers().firstValue("Location").orElseThrow(), "no open redirect");
    HttpResponse<String> replay = get(u.callback(), "Cookie", u.flowCookie());
    assertEquals(
        401, replay.statusCode(), "a used code is refused by the provider: " + replay.body());

    HttpResponse<String> error =
        get(base() + "/auth/oidc/callback?error=access_denied&state=x", "Cookie", u.flowCookie());
    assertEquals(401, error.statusCode());
  }
}
