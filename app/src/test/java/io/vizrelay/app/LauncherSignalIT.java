package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.app.launcher.RunCommand;
import io.vizrelay.common.json.Json;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar vizrelay.jar run} as a real process: SIGTERM to the launcher ends the command's
 * whole process group and is reported; bad arguments exit 64 with nothing started.
 */
class LauncherSignalIT {
  @TempDir static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(dir.resolve("data"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void sigtermToTheLauncherEndsTheProcessGroupAndIsReported() throws Exception {
    Path ready = dir.resolve("ready");
    Path grandchild = dir.resolve("grandchild.pid");
    Process launcher =
        launcher(
            dir.resolve("sig.log"),
            "--server",
            "http://127.0.0.1:" + server.port(),
            "--task",
            "erin-sig",
            "--",
            "bash",
            "-c",
            "sleep 600 & echo $! > " + grandchild + "; touch " + ready + "; wait");
    until(
        "the command runs, registered",
        () -> Files.exists(ready) && task("erin-sig").path("pid").asLong() > 0 ? true : null);
    long sleeper = Long.parseLong(Files.readString(grandchild).trim());
    assertTrue(
        ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false), "the grandchild runs");

    launcher.destroy(); // SIGTERM
    assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher ends");
    assertEquals(143, launcher.exitValue(), Files.readString(dir.resolve("sig.log")));
    JsonNode task = task("erin-sig");
    assertEquals("stopped", task.path("status").asText(), task.toString());
    assertEquals(143, task.path("exit_code").asInt());
    until(
        "the command's background process is gone too",
        () -> ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false) ? null : true);
    assertTrue(Files.readString(dir.resolve("sig.log")).contains("launcher signalled"));
  }

  @Test
  void stopOnThePageEndsTheRealLauncherWithTheCommandsStatus() throws Exception {
    Path ready = dir.resolve("page-ready");
    Process launcher =
        launcher(
            dir.resolve("page.log"),
            "--server",
            "http://127.0.0.1:" + server.port(),
            "--task",
            "erin-page",
            "--",
            "python3",
            "-c",
            "import pathlib, time\npathlib.Path('" + ready + "').touch()\ntime.sleep(600)");
    until(
        "the command runs, registered",
        () -> Files.exists(ready) && task("erin-page").path("pid").asLong() > 0 ? true : null);
    assertEquals(200, server.post("/api/tasks/erin-page/stop", "{}").status());
    assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher ends");
    assertEquals(143, launcher.exitValue(), Files.readString(dir.resolve("page.log")));
    assertEquals("stopped", task("erin-page").path("status").asText());
  }

  @Test
  void badArgumentsExit64WithNothingStarted() throws Exception {
    Path marker = dir.resolve("never");
    List<List<String>> bad =
        List.of(
            List.of("--task", "erin-bad", "--", "touch", marker.toString()),
            List.of(
                "--server",
                "http://127.0.0.1:1",
                "--task",
                "erin-bad",
                "--bogus",
                "x",
                "--",
                "touch",
                marker.toString()),
            List.of(
                "--server",
                "http://127.0.0.1:1",
                "--task",
                "erin bad",
                "--",
                "touch",
                marker.toString()),
            List.of(
                "--server",
                "http://127.0.0.1:1",
                "--task",
                "erin-bad",
                "--grace-seconds",
                "soon",
                "--",
                "touch",
                marker.toString()),
            List.of("--server", "http://127.0.0.1:1", "--task", "erin-bad", "--"));
    for (List<String> args : bad) {
      Path log = dir.resolve("bad.log");
      Process p = launcher(log, args.toArray(String[]::new));
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(RunCommand.EXIT_USAGE, p.exitValue(), args.toString());
      assertTrue(
          Files.readString(log).contains("usage: java -jar vizrelay.jar run"),
          Files.readString(log));
    }
    assertFalse(Files.exists(marker), "nothing was started");
  }

  private static Process launcher(Path log, String... args) throws Exception {
    String jar = System.getProperty("vizrelay.jar", "target/vizrelay.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> argv =
        new ArrayList<>(List.of(java, "-Xmx128m", "-jar", new File(jar).getAbsolutePath(), "run"));
    argv.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().remove("VIZRELAY_SERVER");
    pb.environment().remove("VIZRELAY_TASK_ID");
    pb.environment().remove("VIZRELAY_API_KEY");
    return pb.start();
  }

  static JsonNode task(String id) throws Exception {
    TestServer.Response r = server.get("/api/tasks/" + id);
    return r.status() == 200
        ? Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
        : Json.object();
  }

  static <T> T until(String what, Callable<T> probe) throws Exception {
    return LauncherTest.until(what, probe);
  }
}
