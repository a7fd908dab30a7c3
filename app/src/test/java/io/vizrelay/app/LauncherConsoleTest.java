package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vizrelay run --capture-output}: the command's lines reach a browser's socket, in order,
 * cleaned.
 */
class LauncherConsoleTest {
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

  static String url() {
    return "http://127.0.0.1:" + server.port();
  }

  @Test
  void outputLinesReachTheBrowserInOrderAndStillPassThrough() throws Exception {
    Browser browser = server.browser("/socket?task_id=dave-log");
    String script =
        String.join(
            "\n",
            "import sys",
            "for i in range(300):",
            "    print('\\x1b[32mline-%04d\\x1b[0m <b>&' % i, flush=(i % 7 == 0))",
            "    if i % 50 == 0:",
            "        print('err-%04d' % i, file=sys.stderr, flush=True)",
            "sys.stdout.flush()");
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(), "dave-log", List.of("--capture-output"), "python3", "-c", script));
    assertEquals(0, run.awaitExit(), run.err());
    assertTrue(
        run.out().contains("\u001b[32mline-0299\u001b[0m <b>&"), "stdout passes through unchanged");
    assertTrue(run.err().contains("err-0250"), "stderr passes through");

    String seen = awaitConsoleText(browser, "line-0299");
    int at = 0;
    for (int i = 0; i < 300; i++) {
      int next = seen.indexOf("line-" + String.format("%04d", i), at);
      assertTrue(next >= at, "line " + i + " missing or out of order");
      at = next;
    }
    assertTrue(seen.contains("err-0250"), "stderr lines are mirrored too");
    assertFalse(seen.contains("\u001b") || seen.contains("[32m"), "ANSI escapes are stripped");
    assertTrue(
        seen.contains("line-0001 &lt;b&gt;&amp;"),
        "HTML is escaped: " + seen.substring(0, Math.min(400, seen.length())));
    TestServer.await(browser.close());
  }

  @Test
  void theWindowKeepsTheNewestLines() throws Exception {
    String script = "for i in range(6500): print('row-%05d' % i)";
    LaunchedRun run =
        LaunchedRun.start(
            LaunchedRun.args(
                url(), "dave-long", List.of("--capture-output"), "python3", "-c", script));
    assertEquals(0, run.awaitExit(), run.err());
    Browser late = server.browser("/socket?task_id=dave-long");
    String content = late.await("window", 30_000).path("content").asText();
    String[] lines = content.split("<br>");
    assertTrue(lines.length <= 5000, "at most 5000 lines, got " + lines.length);
    assertTrue(lines.length >= 4000, "at least the newest 4000 lines, got " + lines.length);
    assertEquals("row-06499", lines[lines.length - 1]);
    for (int i = 1; i < lines.length; i++) {
      assertEquals(
          Integer.parseInt(lines[i - 1].substring(4)) + 1,
          Integer.parseInt(lines[i].substring(4)),
          "consecutive");
    }
    TestServer.await(late.close());
  }

  /**
   * Every console frame the browser got, as text in arrival order, once {@code last} has arrived.
   */
  private static String awaitConsoleText(Browser browser, String last) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      String text =
          browser.frames().stream()
              .filter(f -> f.toString().contains("console"))
              .map(JsonNode::toString)
              .collect(Collectors.joining("\n"));
      if (text.contains(last)) {
        return text;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the browser did not get " + last + "; got " + browser.frames());
      }
      TestServer.await(browser.barrier());
      Thread.sleep(20);
    }
  }
}
