package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compact socket's {@code max_points} (issue 17): a late join gets long traces bucketed with
 * every spike, first and last point, and a {@code downsampled} marker; live appends flow after it;
 * the view stays within twice the budget as the trace grows (re-bucket syncs), with seqs gapless; a
 * resume with {@code since} stays gapless; sockets without it get every point; bad values are 400
 * before the upgrade.
 */
class DownsampledSocketTest extends EmbeddedServerTest {
  static final String TASK = "alice-m4";
  static final int N = 50_000;
  static final int BUDGET = 400;

  /** Spike positions of the big trace. */
  private final List<Integer> spikes = new ArrayList<>();

  private void postBigWindow() throws Exception {
    Random r = new Random(4);
    ArrayNode x = Json.NODES.arrayNode();
    ArrayNode y = Json.NODES.arrayNode();
    for (int i = 0; i < N; i++) {
      x.add(i);
      if (r.nextInt(500) == 0) {
        y.addNull();
      } else {
        y.add(Math.round(1000 * Math.sin(i / 300.0)) / 1000.0);
      }
    }
    for (int k = 0; k < 5; k++) {
      int at = 1 + r.nextInt(N - 2);
      spikes.add(at);
      y.set(at, Json.NODES.numberNode(k % 2 == 0 ? 1e6 + k : -1e6 - k));
    }
    ObjectNode body = Json.object().put("task_id", TASK).put("eid", "main").put("win", "loss");
    ObjectNode trace = body.putArray("data").addObject();
    trace.set("x", x);
    trace.set("y", y);
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    body.putObject("layout");
    body.putObject("opts");
    assertEquals(200, server.post("/events", Json.string(body)).status());
    ObjectNode small = body.deepCopy().put("win", "small");
    ObjectNode t = (ObjectNode) small.get("data").get(0);
    t.set("x", Json.NODES.arrayNode().add(1).add(2).add(3));
    t.set("y", Json.NODES.arrayNode().add(4).add(5).add(6));
    assertEquals(200, server.post("/events", Json.string(small)).status());
  }

  private void appendPoints(int fromX, int count) throws Exception {
    StringBuilder xs = new StringBuilder();
    StringBuilder ys = new StringBuilder();
    for (int i = 0; i < count; i++) {
      xs.append(i == 0 ? "" : ",").append(fromX + i);
      ys.append(i == 0 ? "" : ",").append((fromX + i) % 7);
    }
    String body =
        "{\"task_id\":\""
            + TASK
            + "\",\"win\":\"loss\",\"eid\":\"main\",\"data\":[{\"x\":["
            + xs
            + "],\"y\":["
            + ys
            + "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},"
            + "\"opts\":{},\"name\":\"train\",\"append\":true}";
    assertEquals(200, server.post("/update", body).status());
  }

  private static JsonNode window(List<JsonNode> frames, String win) {
    return frames.stream()
        .filter(f -> "window".equals(f.path("command").asText()))
        .filter(f -> win.equals(f.path("id").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no window " + win));
  }

  @Test
  void aLateJoinGetsLongTracesBucketedWithEveryExtreme() throws Exception {
    postBigWindow();
    Browser b = server.browser("/socket?task_id=" + TASK + "&format=compact&max_points=" + BUDGET);
    b.await("layout", 30_000);
    JsonNode loss = window(b.frames(), "loss");
    JsonNode trace = loss.at("/content/data/0");
    int shown = trace.get("x").size();
    assertTrue(shown <= BUDGET, "at most the budget: " + shown);
    assertEquals(shown, trace.get("y").size());
    JsonNode mark = loss.at("/downsampled/0");
    assertEquals(0, mark.path("index").asInt());
    assertEquals(N, mark.path("points").asInt());
    assertEquals(shown, mark.path("shown").asInt());
    assertEquals(0, trace.get("x").get(0).asInt(), "first point kept");
    assertEquals(N - 1, trace.get("x").get(shown - 1).asInt(), "last point kept");
    List<Integer> xs = new ArrayList<>();
    trace.get("x").forEach(v -> xs.add(v.asInt()));
    for (int s : spikes) {
      assertTrue(xs.contains(s), "spike at x=" + s + " kept");
    }
    for (int i = 1; i < xs.size(); i++) {
      assertTrue(xs.get(i) > xs.get(i - 1), "in stored order");
    }
    boolean gap = false;
    for (JsonNode v : trace.get("y")) {
      gap |= v.isNull();
    }
    assertTrue(gap, "a null gap survives as a break in the line");
    JsonNode small = window(b.frames(), "small");
    assertFalse(small.has("downsampled"), "a short window is sent whole");
    assertEquals("[1,2,3]", Json.string(small.at("/content/data/0/x")));

    Browser full = server.browser("/socket?task_id=" + TASK + "&format=compact");
    full.await("layout", 30_000);
    assertEquals(N, window(full.frames(), "loss").at("/content/data/0/x").size(), "no budget");
    TestServer.await(b.close());
    TestServer.await(full.close());
  }

  /**
   * Appends flow live after a downsampled snapshot; as the trace grows the view never holds more
   * than twice the budget (re-bucket syncs replace it), every seq arrives once and in order, and
   * the view ends with the last appended point.
   */
  @Test
  void liveAppendsFlowAndTheViewStaysBounded() throws Exception {
    postBigWindow();
    Browser b = server.browser("/socket?task_id=" + TASK + "&format=compact&max_points=" + BUDGET);
    b.await("layout", 30_000);
    int batches = 60;
    int per = 25; // 1500 points: several re-buckets at a budget of 400
    for (int k = 0; k < batches; k++) {
      appendPoints(N + k * per, per);
    }
    int lastX = N + batches * per - 1;
    TaskState view = new TaskState();
    long expectSeq = -1;
    int appends = 0;
    int rebuckets = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    int seen = 0;
    while (true) {
      TestServer.await(b.barrier());
      List<JsonNode> frames = b.frames();
      for (; seen < frames.size(); seen++) {
        JsonNode f = frames.get(seen);
        String command = f.path("command").asText();
        if ("sync".equals(command)) {
          view = new TaskState();
          expectSeq = f.path("seq").asLong() + 1;
          rebuckets += "rebucket".equals(f.path("reason").asText()) ? 1 : 0;
          continue;
        }
        if (f.has("seq")) {
          assertEquals(expectSeq, f.path("seq").asLong(), "gapless after each sync");
          expectSeq++;
          appends += "append".equals(command) ? 1 : 0;
        }
        Frames.apply(view, f);
        if (view.env("main") != null && view.env("main").window("loss") != null) {
          int held = view.env("main").window("loss").at("/content/data/0/x").size();
          assertTrue(held <= 2 * BUDGET, "view bounded: " + held);
        }
      }
      List<Double> xs = view.env("main") == null ? List.of() : Frames.xs(view, "loss");
      if (!xs.isEmpty() && xs.get(xs.size() - 1) == lastX) {
        break;
      }
      assertTrue(System.currentTimeMillis() < deadline, "the last point never arrived");
      b.await("append", 1000); // at least one live append has come; loop on the barrier
    }
    assertTrue(appends > 0, "live appends flowed after the downsampled snapshot");
    assertTrue(rebuckets >= 1, "the growing trace was re-bucketed");
    TestServer.await(b.close());
  }

  @Test
  void aResumeWithSinceStaysGapless() throws Exception {
    postBigWindow();
    String uri = "/socket?task_id=" + TASK + "&format=compact&max_points=" + BUDGET;
    Browser first = server.browser(uri);
    JsonNode sync = first.await("sync", 30_000);
    first.await("layout", 30_000);
    TestServer.await(first.close());
    appendPoints(N, 10);
    appendPoints(N + 10, 10);
    Browser again =
        server.browser(
            uri + "&since=" + sync.path("epoch").asText() + ":" + sync.path("seq").asLong());
    JsonNode resumed = again.await("sync", 30_000);
    assertEquals("resume", resumed.path("mode").asText());
    long seq = sync.path("seq").asLong();
    long deadline = System.currentTimeMillis() + 30_000;
    while (again.frames("append").size() < 2) {
      assertTrue(System.currentTimeMillis() < deadline);
      TestServer.await(again.barrier());
    }
    List<JsonNode> appends = again.frames("append");
    assertEquals(seq + 1, appends.get(0).path("seq").asLong());
    assertEquals(seq + 2, appends.get(1).path("seq").asLong());
    assertEquals(N, appends.get(0).at("/traces/0/x/0").asInt());
    TestServer.await(again.close());
  }

  @Test
  void aBadBudgetIsRefusedBeforeTheUpgrade() throws Exception {
    for (String bad :
        new String[] {
          "&format=compact&max_points=abc",
          "&format=compact&max_points=3",
          "&format=compact&max_points=2000000",
          "&max_points=400"
        }) {
      TestServer.Response r = server.get("/socket?task_id=" + TASK + bad);
      assertEquals(400, r.status(), bad);
      assertEquals(
          "INVALID_FIELD", Json.parseTrusted(r.body().getBytes()).at("/error/code").asText(), bad);
    }
  }
}
