package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.app.launcher.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vizrelay run} against a server with auth on: its API key is used, another user's task is
 * refused.
 */
class LauncherAuthTest {
  @TempDir static Path dir;
  static AuthFixture auth;
  static Path aliceKeyFile;

  @BeforeAll
  static void start() throws Exception {
    auth = AuthFixture.start(dir, Map.of());
    aliceKeyFile = dir.resolve("alice.key");
    Files.writeString(aliceKeyFile, auth.aliceKey + "\n");
  }

  @AfterAll
  static void stop() throws Exception {
    auth.close();
  }

  static String url() {
    return "http://127.0.0.1:" + auth.server.port();
  }

  @Test
  void anotherUsersKeyIsRefusedBeforeAnythingStarts() throws Exception {
    Path marker = dir.resolve("bob-started");
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(),
                "bob-train",
                List.of("--api-key-file", aliceKeyFile.toString()),
                "bash",
                "-c",
                "touch " + marker));
    assertEquals(Launcher.EXIT_REFUSED, run.awaitExit(), run.err());
    assertFalse(Files.exists(marker), "the command must not have started");
    assertTrue(run.err().contains("refused"), run.err());
    assertEquals(
        404,
        auth.get(
                "/api/tasks/bob-train",
                "Authorization",
                AuthFixture.bearer(AuthFixture.token("root", "admin")))
            .status());
  }

  @Test
  void noKeyIsRefusedBeforeAnythingStarts() throws Exception {
    Path marker = dir.resolve("anon-started");
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(url(), "alice-anon", List.of(), "bash", "-c", "touch " + marker));
    assertEquals(Launcher.EXIT_REFUSED, run.awaitExit(), run.err());
    assertFalse(Files.exists(marker), "the command must not have started");
  }

  @Test
  void theOwnersKeyRegistersAndReports() throws Exception {
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(),
                "alice-train",
                List.of("--api-key-file", aliceKeyFile.toString()),
                "bash",
                "-c",
                "exit 0"));
    assertEquals(0, run.awaitExit(), run.err());
    AuthFixture.Reply task =
        auth.get("/api/tasks/alice-train", "Authorization", "Bearer " + auth.aliceKey);
    assertEquals(200, task.status());
    assertTrue(task.body().contains("\"status\":\"succeeded\""), task.body());
    assertTrue(task.body().contains("\"stoppable\":true"), task.body());
  }
}
