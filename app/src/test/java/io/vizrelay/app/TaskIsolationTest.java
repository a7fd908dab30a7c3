package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A browser of task A never receives a frame of task B, in every ingest addressing mode. */
class TaskIsolationTest extends EmbeddedServerTest {
  /** How ingest names the task (docs/ARCHITECTURE.md "Task addressing on ingest"). */
  enum Mode {
    BODY_TASK_ID,
    PATH_PREFIX,
    DEFAULT_TASK
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Mode.class)
  void browsersOfOneTaskNeverSeeAnotherTasksFrames(Mode mode) throws Exception {
    String a = mode == Mode.DEFAULT_TASK ? "default" : "alice-proj" + mode.ordinal();
    String b = "bob-proj" + mode.ordinal();
    List<Browser> aBrowsers = List.of(open(a), open(a));
    List<Browser> bBrowsers = List.of(open(b), open(b));
    int[] bBefore = counts(bBrowsers);

    post(mode, a, "win_a");
    barrier(aBrowsers, bBrowsers);
    for (Browser br : aBrowsers) {
      assertEquals(List.of("win_a"), windowIds(br), "A's browser sees A's window");
    }
    assertEquals(bBefore[0], bBrowsers.get(0).frames().size(), "B's browser got nothing of A");
    assertEquals(bBefore[1], bBrowsers.get(1).frames().size(), "B's browser got nothing of A");

    post(explicitMode(mode), b, "win_b");
    barrier(aBrowsers, bBrowsers);
    for (Browser br : bBrowsers) {
      assertEquals(List.of("win_b"), windowIds(br));
    }
    // no timeout as the negative check: a marker window of A's own, posted after B's, has to reach
    // A's browsers; whatever of B's could have leaked would be in A's stream before it
    post(explicitMode(mode), a, "win_a_marker");
    for (Browser br : aBrowsers) {
      awaitWindow(br, "win_a_marker");
      assertEquals(List.of("win_a", "win_a_marker"), windowIds(br), "A's browser got nothing of B");
      assertTrue(
          br.frames().stream().noneMatch(f -> f.toString().contains("win_b")),
          "no frame at A names B's window: " + br.frames());
    }
  }

  private static void awaitWindow(Browser br, String win) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      int seen = br.frames().size();
      if (windowIds(br).contains(win)) {
        return;
      }
      long left = deadline - System.currentTimeMillis();
      assertTrue(left > 0, win + " did not reach the browser: " + br.frames());
      br.awaitCount(seen + 1, left);
    }
  }

  private static Mode explicitMode(Mode mode) {
    return mode == Mode.DEFAULT_TASK ? Mode.BODY_TASK_ID : mode;
  }

  private Browser open(String task) throws Exception {
    Browser br = server.browser("/socket?task_id=" + task);
    br.await("layout", 5000);
    return br;
  }

  private void post(Mode mode, String task, String win) throws Exception {
    String body =
        "{\"data\": [{\"x\": [1.0], \"y\": [2.0], \"name\": \"1\", \"type\": \"scatter\", \"mode\": \"lines\"}],"
            + " \"win\": \""
            + win
            + "\", \"eid\": \"main\", \"layout\": {\"title\": \""
            + win
            + "\"}, \"opts\": {}"
            + (mode == Mode.BODY_TASK_ID ? ", \"task_id\": \"" + task + "\"" : "")
            + "}";
    String path = mode == Mode.PATH_PREFIX ? "/task/" + task + "/events" : "/events";
    TestServer.Response r = server.post(path, body);
    assertEquals(200, r.status(), r.body());
    assertEquals(win, r.body());
  }

  private static void barrier(List<Browser> a, List<Browser> b) throws Exception {
    for (Browser br : Stream.concat(a.stream(), b.stream()).toList()) {
      TestServer.await(br.barrier());
    }
  }

  private static int[] counts(List<Browser> browsers) {
    return browsers.stream().mapToInt(br -> br.frames().size()).toArray();
  }

  private static List<String> windowIds(Browser br) {
    List<String> ids = br.frames("window").stream().map(f -> f.path("id").asText()).toList();
    assertTrue(
        br.frames("window").stream().allMatch(f -> f.path("seq").asLong() > 0),
        "live frames carry seq");
    return ids;
  }
}
