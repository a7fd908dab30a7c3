package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.auth.ApiKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation on the embedded server: an admin revokes an API key ({@code DELETE
 * /api/auth/api-keys/<id>}), which stays revoked after a restart (the data directory's {@code
 * revoked-api-keys}); bad ids are 400, non-admins 403; a signed-out session is refused.
 */
class RevocationTest {
  @TempDir Path dir;

  @Test
  void revokedKeyStaysRevokedAcrossARestart() throws Exception {
    String aliceKey;
    String root;
    try (AuthFixture f = AuthFixture.start(dir, Map.of())) {
      aliceKey = f.aliceKey;
      String alice = AuthFixture.bearer(aliceKey);
      assertEquals(200, f.get("/api/tasks", "Authorization", alice).status());
      root = AuthFixture.bearer(AuthFixture.token("root", "admin"));
      String path = "/api/auth/api-keys/" + ApiKeys.id(aliceKey);
      assertEquals(403, f.send("DELETE", path, null, "Authorization", alice).status());
      assertEquals(
          403,
          f.send(
                  "DELETE",
                  path,
                  null,
                  "Authorization",
                  AuthFixture.bearer(AuthFixture.token("bob")))
              .status());
      assertEquals(
          400, f.send("DELETE", "/api/auth/api-keys/xyz", null, "Authorization", root).status());
      assertEquals(204, f.send("DELETE", path, null, "Authorization", root).status());
      AuthFixture.Reply refused = f.get("/api/tasks", "Authorization", alice);
      assertEquals(401, refused.status());
      assertTrue(refused.body().contains("revoked"), refused.body());
      assertEquals(
          200,
          f.get("/api/tasks", "Authorization", AuthFixture.bearer(f.aliceTaskKey)).status(),
          "alice's other key stays");
    }
    assertTrue(
        Files.readString(dir.resolve("data").resolve("revoked-api-keys"))
            .contains(ApiKeys.id(aliceKey)));
    Map<String, String> env =
        Map.of(
            "VIZRELAY_AUTH",
            "jwt",
            "VIZRELAY_JWT_HS256_SECRET",
            AuthFixture.SECRET,
            "VIZRELAY_API_KEYS_FILE",
            dir.resolve("keys.txt").toString());
    try (TestServer again = TestServer.start(dir.resolve("data"), env)) {
      java.net.http.HttpResponse<String> r =
          again.jdk.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + again.port() + "/api/tasks"))
                  .header("Authorization", AuthFixture.bearer(aliceKey))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(401, r.statusCode(), "still revoked after the restart");
    }
  }

  @Test
  void signedOutSessionIsRefused() throws Exception {
    try (AuthFixture f = AuthFixture.start(dir, Map.of())) {
      AuthFixture.Reply login =
          f.post(
              "/auth/login",
              "{\"username\":\"alice\",\"password\":\"alice-pw\"}",
              "Content-Type",
              "application/json");
      String cookie = login.header("Set-Cookie").split(";")[0];
      assertEquals(200, f.get("/auth/me", "Cookie", cookie).status());
      assertEquals(204, f.post("/auth/logout", null, "Cookie", cookie).status());
      assertEquals(401, f.get("/auth/me", "Cookie", cookie).status());
      String token = cookie.substring(cookie.indexOf('=') + 1);
      assertEquals(
          401,
          f.get("/api/tasks", "Authorization", AuthFixture.bearer(token)).status(),
          "nor as a bearer token");
    }
  }
}
