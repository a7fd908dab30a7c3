package io.vizrelay.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vizrelay.common.auth.OidcTestProvider;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

/**
 * With {@code VIZRELAY_AUTH=oidc}, headless Chromium signs in through the provider ({@link
 * OidcTestProvider}, a real HTTP server): the page offers "Sign in with <issuer>", the browser goes
 * through the authorization endpoint and the callback (code flow with PKCE) and comes back signed
 * in to the task it asked for; Sign out ends the session (the old cookie is refused afterwards).
 */
class OidcSignInIT {
  static final String SECRET = "0123456789abcdef0123456789abcdef-oidc-ui";
  private static Vertx idpVertx;
  private static OidcTestProvider idp;
  private static UiHarness ui;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(
        System.getProperty("vizrelay.ui.base") == null, "needs its own server with oidc");
    idpVertx = Vertx.vertx();
    idp = OidcTestProvider.start(idpVertx);
    ui =
        UiHarness.start(
            Map.of(
                "VIZRELAY_AUTH",
                "oidc",
                "VIZRELAY_JWT_HS256_SECRET",
                SECRET,
                "VIZRELAY_OIDC_ISSUER",
                idp.issuer(),
                "VIZRELAY_OIDC_CLIENT_ID",
                OidcTestProvider.CLIENT_ID,
                "VIZRELAY_OIDC_CLIENT_SECRET",
                OidcTestProvider.CLIENT_SECRET));
    HttpResponse<String> r =
        ui.http.send(
            HttpRequest.newBuilder(URI.create(ui.base() + "/update"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + idp.token("alice"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        UiHarness.appendPoint("alice-sso", "main", "loss", "train", 0, 1)
                            .toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (ui != null) {
        ui.close();
      }
    } finally {
      if (idp != null) {
        idp.close();
        idpVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void signsInThroughTheProviderAndSignsOut() throws Exception {
    ui.open("?task_id=alice-sso");
    ui.waitFor(
        "the provider's sign-in link",
        d -> d.findElements(By.id("signin-oidc")).isEmpty() ? null : Boolean.TRUE);
    assertEquals(
        "Sign in with " + idp.issuer(), ui.driver.findElement(By.id("signin-oidc")).getText());
    assertTrue(
        !ui.driver.findElement(By.id("signin-username")).isDisplayed(),
        "no password form without built-in users");
    int tokenRequests = idp.tokenRequests();
    ui.driver.findElement(By.id("signin-oidc")).click();
    ui.waitFor(
        "signed in as alice",
        d -> d.findElements(By.id("signout")).isEmpty() ? null : Boolean.TRUE);
    assertEquals(tokenRequests + 1, idp.tokenRequests(), "one code exchanged");
    assertTrue(
        ui.driver.getCurrentUrl().endsWith("/?task_id=alice-sso"), ui.driver.getCurrentUrl());
    assertEquals("alice", ui.driver.findElement(By.id("h-user")).getText());
    ui.waitLive("alice-sso");
    assertTrue(ui.drawn("loss", "main", 0, "y").contains(1.0), "the plot is drawn");
    Cookie session = ui.driver.manage().getCookieNamed("vizrelay_session");
    assertNotNull(session);
    assertEquals("", ui.js("return document.cookie;"), "the session cookie is HttpOnly");

    ui.driver.findElement(By.id("signout")).click();
    ui.waitFor(
        "the sign-in offered again",
        d -> d.findElements(By.id("signin-oidc")).isEmpty() ? null : Boolean.TRUE);
    HttpResponse<String> old =
        ui.http.send(
            HttpRequest.newBuilder(URI.create(ui.base() + "/auth/me"))
                .timeout(Duration.ofSeconds(10))
                .header("Cookie", "vizrelay_session=" + session.getValue())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, old.statusCode(), "the signed-out session is refused: " + old.body());
    ui.assertNoJsErrors();
  }
}
