package io.vizrelay.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.auth.UsersFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * With auth on, the page asks to sign in (the server answered 401), signs in through {@code
 * /auth/login} (an HttpOnly cookie the page's scripts cannot read), then lists only the signed-in
 * user's tasks and shows the task live.
 */
class SignInIT {
  static final String SECRET = "0123456789abcdef0123456789abcdef-ui";
  private static UiHarness ui;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(
        System.getProperty("vizrelay.ui.base") == null, "needs its own server with auth on");
    Path users = Files.createTempFile("vizrelay-ui-users", ".txt");
    UsersFile.put(users, "alice", "alice-pw", Set.of());
    UsersFile.put(users, "bob", "bob-pw", Set.of());
    ui =
        UiHarness.start(
            Map.of(
                "VIZRELAY_AUTH",
                "jwt",
                "VIZRELAY_JWT_HS256_SECRET",
                SECRET,
                "VIZRELAY_USERS_FILE",
                users.toString()));
    ingest("alice", "alice-ui");
    ingest("bob", "bob-ui");
    String bob = ingest("bob", "bob-shared");
    HttpResponse<String> registered =
        ui.http.send(
            HttpRequest.newBuilder(URI.create(ui.base() + "/api/tasks"))
                .timeout(Duration.ofSeconds(10))
                .header("Cookie", bob)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"bob-shared\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(registered.statusCode() == 200 || registered.statusCode() == 201, registered.body());
    HttpResponse<String> share =
        ui.http.send(
            HttpRequest.newBuilder(URI.create(ui.base() + "/api/tasks/bob-shared/shared_with"))
                .timeout(Duration.ofSeconds(10))
                .header("Cookie", bob)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"users\":[\"alice\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, share.statusCode(), share.body());
  }

  @AfterAll
  static void stop() throws Exception {
    if (ui != null) {
      ui.close();
    }
  }

  /** Signs in as {@code user} over HTTP; the session cookie ({@code name=value}). */
  static String login(String user) throws Exception {
    HttpResponse<String> login =
        ui.http.send(
            HttpRequest.newBuilder(URI.create(ui.base() + "/auth/login"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + user + "\",\"password\":\"" + user + "-pw\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, login.statusCode(), login.body());
    return login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
  }

  /**
   * Signs in as {@code user} over HTTP and posts one point to {@code task} with the session cookie.
   */
  static String ingest(String user, String task) throws Exception {
    HttpClient http = ui.http;
    String cookie = login(user);
    String body = UiHarness.appendPoint(task, "main", "loss", "train", 0, 1).toString();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(ui.base() + "/update"))
                .timeout(Duration.ofSeconds(10))
                .header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return cookie;
  }

  @Test
  void thePageSignsInAndThenShowsOnlyTheUsersTasks() {
    ui.open("?task_id=alice-ui");
    ui.waitFor(
        "the sign-in form",
        d -> d.findElements(By.id("signin-username")).isEmpty() ? null : Boolean.TRUE);
    ui.driver.findElement(By.id("signin-username")).sendKeys("alice");
    ui.driver.findElement(By.id("signin-password")).sendKeys("wrong");
    ui.driver.findElement(By.id("signin-ok")).click();
    ui.waitFor(
        "the wrong-password message",
        d ->
            d.findElement(By.id("signin-error")).getText().contains("Wrong") ? Boolean.TRUE : null);
    ui.driver.findElement(By.id("signin-password")).clear();
    ui.driver.findElement(By.id("signin-password")).sendKeys("alice-pw");
    ui.driver.findElement(By.id("signin-ok")).click();
    ui.waitFor(
        "signed in as alice",
        d -> d.findElements(By.id("signout")).isEmpty() ? null : Boolean.TRUE);
    ui.waitLive("alice-ui");
    ui.waitFor(
        "alice's task listed", d -> ui.listedTasks().contains("alice-ui") ? Boolean.TRUE : null);
    List<String> listed = ui.listedTasks();
    assertFalse(listed.contains("bob-ui"), "bob's task is not listed: " + listed);
    assertEquals("alice", ui.driver.findElement(By.id("h-user")).getText());
    assertEquals("", ui.js("return document.cookie;"), "the session cookie is HttpOnly");
    assertTrue(ui.drawn("loss", "main", 0, "y").contains(1.0), "the plot is drawn");
    assertFalse(listed.contains("bob-shared"), "a shared task is not among alice's own: " + listed);

    // bob shared bob-shared with alice: it is under "Shared with me" and opens read-only, without
    // Stop
    ui.waitFor(
        "the shared task listed", d -> sharedTasks().contains("bob-shared") ? Boolean.TRUE : null);
    assertTrue(
        ui.driver.findElement(By.id("task-list")).getText().contains("SHARED WITH ME")
            || ui.driver
                .findElement(By.id("task-list"))
                .getText()
                .toLowerCase()
                .contains("shared with me"));
    ui.driver
        .findElement(By.cssSelector("#task-list a.task.shared[data-task='bob-shared']"))
        .click();
    ui.waitLive("bob-shared");
    ui.waitFor(
        "the shared record",
        d -> {
          Object rec = ui.state().get("record");
          return rec instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("readonly"))
              ? Boolean.TRUE
              : null;
        });
    assertFalse(
        ui.driver.findElement(By.id("stop-btn")).isDisplayed(), "no Stop for a shared task");
    assertTrue(ui.driver.findElement(By.id("h-meta")).getText().contains("shared by bob"));
    assertTrue(ui.drawn("loss", "main", 0, "y").contains(1.0), "the shared plot is drawn");
    ui.assertNoJsErrors();
  }

  /**
   * The sign-in is a styled, labelled dialog: axe finds nothing serious, Esc keeps it, and it can
   * be reopened.
   */
  @Test
  void theSignInIsAccessibleSurvivesEscAndCanBeReopened() {
    ui.open("");
    ui.driver.manage().deleteAllCookies();
    ui.open("");
    ui.waitFor(
        "the sign-in form",
        d -> d.findElements(By.id("signin-username")).isEmpty() ? null : Boolean.TRUE);
    assertEquals(List.of(), ui.axeViolations(), "axe on the sign-in page");
    assertEquals("Sign in to vizrelay", ui.driver.findElement(By.id("signin-title")).getText());
    ui.driver.findElement(By.id("signin-username")).sendKeys(Keys.ESCAPE);
    ui.waitFor(
        "the sign-in is still there after Esc",
        d -> d.findElement(By.id("signin")).isDisplayed() ? Boolean.TRUE : null);
    ui.screenshot("signin");
    ui.js("document.getElementById('signin').close();"); // however it is closed, it comes back
    ui.waitFor(
        "dialog back", d -> d.findElement(By.id("signin")).isDisplayed() ? Boolean.TRUE : null);
    assertTrue(
        ui.driver.findElement(By.id("signin-open")).isDisplayed(),
        "the header can reopen the sign-in");
    ui.driver.findElement(By.id("signin-username")).sendKeys("alice");
    ui.driver.findElement(By.id("signin-password")).sendKeys("alice-pw");
    ui.driver.findElement(By.id("signin-ok")).click();
    ui.waitFor(
        "signed in as alice",
        d -> d.findElements(By.id("signout")).isEmpty() ? null : Boolean.TRUE);
    ui.driver.manage().deleteAllCookies(); // the other test starts signed out
  }

  @SuppressWarnings("unchecked")
  private static List<String> sharedTasks() {
    Object o = ui.js("return window.vizrelay ? window.vizrelay.sharedTasks() : [];");
    return o == null ? List.of() : (List<String>) o;
  }
}
