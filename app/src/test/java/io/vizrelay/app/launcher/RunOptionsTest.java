package io.vizrelay.app.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunOptionsTest {
  @TempDir Path dir;

  @Test
  void everyOptionIsRead() throws Exception {
    Path key = dir.resolve("key");
    Files.writeString(key, "vzk_secret\n");
    RunOptions o =
        RunOptions.parse(
            List.of(
                "--server",
                "http://h:8186/",
                "--task",
                "alice-x",
                "--project",
                "p",
                "--kind",
                "test",
                "--meta",
                "lr=0.1",
                "--meta",
                "note=a=b",
                "--api-key-file",
                key.toString(),
                "--grace-seconds",
                "5",
                "--capture-output",
                "--",
                "python3",
                "--epochs",
                "2"),
            Map.of());
    assertEquals("http://h:8186", o.server());
    assertEquals("alice-x", o.taskId());
    assertEquals("p", o.project());
    assertEquals("test", o.kind());
    assertEquals(Map.of("lr", "0.1", "note", "a=b"), o.meta());
    assertEquals("vzk_secret", o.apiKey());
    assertEquals(5, o.graceSeconds());
    assertTrue(o.captureOutput());
    assertEquals(
        List.of("python3", "--epochs", "2"), o.command(), "options after -- belong to the command");
  }

  @Test
  void environmentStandsInForServerTaskAndKey() throws Exception {
    RunOptions o =
        RunOptions.parse(
            List.of("bash", "train.sh"),
            Map.of(
                "VIZRELAY_SERVER",
                "https://viz.example",
                "VIZRELAY_TASK_ID",
                "bob-y",
                "VIZRELAY_API_KEY",
                "vzk_env"));
    assertEquals("https://viz.example", o.server());
    assertEquals("bob-y", o.taskId());
    assertEquals("vzk_env", o.apiKey());
    assertEquals(RunOptions.DEFAULT_GRACE_SECONDS, o.graceSeconds());
    assertFalse(o.captureOutput());
    assertNull(o.kind());
  }

  @Test
  void mistakesAreUsageErrors() {
    List<List<String>> bad =
        List.of(
            List.of("--task", "a-b", "--", "x"),
            List.of("--server", "ftp://h", "--task", "a-b", "--", "x"),
            List.of("--server", "http://h", "--", "x"),
            List.of("--server", "http://h", "--task", "-bad", "--", "x"),
            List.of("--server", "http://h", "--task", "a-b", "--kind", "infer", "--", "x"),
            List.of("--server", "http://h", "--task", "a-b", "--meta", "novalue", "--", "x"),
            List.of("--server", "http://h", "--task", "a-b", "--grace-seconds", "-1", "--", "x"),
            List.of(
                "--server",
                "http://h",
                "--task",
                "a-b",
                "--api-key-file",
                "/no/such/file",
                "--",
                "x"),
            List.of("--server", "http://h", "--task", "a-b", "--wat", "1", "--", "x"),
            List.of("--server", "http://h", "--task", "a-b", "--"),
            List.of("--server", "http://h", "--task"));
    for (List<String> args : bad) {
      assertThrows(
          RunOptions.UsageException.class, () -> RunOptions.parse(args, Map.of()), args.toString());
    }
  }

  @Test
  void consoleTextIsCleanedAndEscaped() {
    assertEquals("step 3 ok", ConsoleText.clean("\u001b[1;32mstep 3\u001b[0m ok"));
    assertEquals("100%", ConsoleText.clean(" 10%\r 50%\r100%"));
    assertEquals("title gone", ConsoleText.clean("\u001b]0;my title\u0007title gone"));
    assertEquals("&lt;b&gt; &amp; &quot;q&quot;", ConsoleText.html("<b> & \"q\""));
  }
}
