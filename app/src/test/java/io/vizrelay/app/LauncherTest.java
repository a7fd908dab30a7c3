package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.app.launcher.Launcher;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vizrelay run} in this JVM against a real embedded server, running real child processes
 * (bash and python3): how each way of ending is reported, stop through the registry, a child that
 * ignores SIGTERM, and a server that is down at the start and during the run.
 */
class LauncherTest {
  @TempDir static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServer.start(
            dir.resolve("data"),
            Map.of("VIZRELAY_LOST_AFTER_SECONDS", "1", "VIZRELAY_LOST_CHECK_MS", "100"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String url() {
    return "http://127.0.0.1:" + server.port();
  }

  @Test
  void exitZeroIsSucceededAndTheCommandSeesItsTask() throws Exception {
    Path envFile = dir.resolve("env.txt");
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(),
                "carol-ok",
                List.of("--project", "demo", "--kind", "eval", "--meta", "lr=0.1"),
                "bash",
                "-c",
                "echo \"$VIZRELAY_TASK_ID $VIZRELAY_SERVER $VIZRELAY_BASE_URL\" > "
                    + envFile
                    + "; exit 0"));
    assertEquals(0, run.awaitExit(), run.err());
    JsonNode task = task("carol-ok");
    assertEquals("succeeded", task.path("status").asText());
    assertEquals(0, task.path("exit_code").asInt(-1));
    assertTrue(task.path("stoppable").asBoolean(), task.toString());
    assertTrue(task.path("pid").asLong() > 0, task.toString());
    assertFalse(task.path("host").asText().isEmpty(), task.toString());
    assertEquals("demo", task.path("project_id").asText());
    assertEquals("eval", task.path("kind").asText());
    assertEquals("0.1", task.at("/meta/lr").asText());
    assertTrue(task.at("/meta/command").asText().startsWith("bash -c "), task.toString());
    assertEquals("carol-ok " + url() + " /task/carol-ok", Files.readString(envFile).trim());
  }

  @Test
  void nonZeroExitAndDeathBySignalAreFailed() throws Exception {
    LaunchedRun three =
        LaunchedRun.start(
            LaunchedRun.args(url(), "carol-three", List.of(), "bash", "-c", "exit 3"));
    assertEquals(3, three.awaitExit(), three.err());
    JsonNode task = task("carol-three");
    assertEquals("failed", task.path("status").asText());
    assertEquals(3, task.path("exit_code").asInt());

    LaunchedRun killed =
        LaunchedRun.start(
            LaunchedRun.args(url(), "carol-killed", List.of(), "bash", "-c", "kill -9 $$"));
    assertEquals(137, killed.awaitExit(), killed.err());
    assertEquals("failed", task("carol-killed").path("status").asText());
    assertEquals(137, task("carol-killed").path("exit_code").asInt());
  }

  @Test
  void stopSendsSigtermAndTheTaskEndsStopped() throws Exception {
    Path ready = dir.resolve("py-ready");
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(),
                "carol-py",
                List.of(),
                "python3",
                "-c",
                "import pathlib, time\npathlib.Path('" + ready + "').touch()\ntime.sleep(600)"));
    until(
        "the command runs and its task is registered with its pid",
        () -> Files.exists(ready) && task("carol-py").path("pid").asLong() > 0 ? true : null);
    assertEquals("running", task("carol-py").path("status").asText());
    assertEquals(200, server.post("/api/tasks/carol-py/stop", "{}").status());
    assertEquals(143, run.awaitExit(), run.err());
    JsonNode task = task("carol-py");
    assertEquals("stopped", task.path("status").asText());
    assertEquals(143, task.path("exit_code").asInt());
    assertTrue(run.err().contains("SIGTERM"), run.err());
  }

  @Test
  void aCommandIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
    Path ready = dir.resolve("stubborn-ready");
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(),
                "carol-stubborn",
                List.of("--grace-seconds", "1"),
                "bash",
                "-c",
                "trap '' TERM; touch " + ready + "; while :; do sleep 0.1; done"));
    until(
        "stubborn command registered",
        () -> Files.exists(ready) && task("carol-stubborn").path("pid").asLong() > 0 ? true : null);
    assertEquals(200, server.post("/api/tasks/carol-stubborn/stop", "{}").status());
    assertEquals(137, run.awaitExit(), run.err());
    JsonNode task = task("carol-stubborn");
    assertEquals("stopped", task.path("status").asText());
    assertEquals(137, task.path("exit_code").asInt());
    assertTrue(run.err().contains("SIGKILL"), run.err());
  }

  @Test
  void theCommandRunsWhileTheServerIsDownAndTheOutcomeIsReportedWhenItIsBack() throws Exception {
    Path started = dir.resolve("down-started");
    Path go = dir.resolve("down-go");
    try (TcpGate gate = new TcpGate(server.port(), false)) {
      LaunchedRun run =
          LaunchedRun.start(
              LaunchedRun.args(
                  gate.url(),
                  "carol-down",
                  List.of(),
                  "bash",
                  "-c",
                  "touch " + started + "; while [ ! -f " + go + " ]; do sleep 0.05; done; exit 5"));
      until(
          "the command started although the server is unreachable",
          () -> Files.exists(started) ? true : null);
      assertEquals(
          404,
          server.get("/api/tasks/carol-down").status(),
          "nothing registered while the server is down");

      gate.open();
      until(
          "registered with its pid once the server is back",
          () -> task("carol-down").path("pid").asLong() > 0 ? true : null);
      assertEquals("running", task("carol-down").path("status").asText());

      gate.shut();
      until(
          "lost while the server hears nothing",
          () -> "lost".equals(task("carol-down").path("status").asText()) ? true : null);
      Files.createFile(go);
      gate.open();
      assertEquals(5, run.awaitExit(), run.err());
      JsonNode task = task("carol-down");
      assertEquals("failed", task.path("status").asText());
      assertEquals(5, task.path("exit_code").asInt());
      assertTrue(run.err().contains("the server is back"), run.err());
    }
  }

  @Test
  void theCommandsOwnTerminationIsNotAStop() throws Exception {
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(url(), "carol-self", List.of(), "bash", "-c", "kill -TERM $$"));
    assertEquals(143, run.awaitExit(), run.err());
    assertEquals("failed", task("carol-self").path("status").asText(), "no one asked it to stop");
  }

  @Test
  void aCommandThatCannotBeFoundFails() throws Exception {
    LaunchedRun run =
        LaunchedRun.start(LaunchedRun.args(url(), "carol-missing", List.of(), "/no/such/command"));
    assertEquals(Launcher.EXIT_CANNOT_START, run.awaitExit(), run.err());
    assertEquals("failed", task("carol-missing").path("status").asText());
  }

  static JsonNode task(String id) throws Exception {
    TestServer.Response r = server.get("/api/tasks/" + id);
    return r.status() == 200
        ? Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
        : Json.object();
  }

  /** Polls {@code probe} until it answers non-null, for at most 30 s. */
  static <T> T until(String what, Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      T value = probe.call();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
