package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Resume by seq: a subscriber reconnects hundreds of times at random points of a live stream with
 * {@code since=<epoch>:<seq>} and, over all its connections, gets every frame exactly once, in
 * order; the state it rebuilds holds every ingested point once.
 */
class ResumeTest extends EmbeddedServerTest {
  static final String TASK = "alice-resume";
  static final int POINTS = 3000;
  static final int RECONNECTS = 300;

  @Test
  void reconnectingHundredsOfTimesMidStreamLosesAndRepeatsNothing() throws Exception {
    assertEquals(200, server.post("/update", Frames.body(TASK, "loss", 0, 0)).status());
    CompletableFuture<Void> poster = CompletableFuture.runAsync(this::postPoints);
    Random random = new Random(42);
    TaskState view = new TaskState();
    List<Long> seqs = new ArrayList<>();
    String position = null;
    int resumed = 0;
    for (int i = 0; i < RECONNECTS; i++) {
      Browser b =
          server.browser(
              "/socket?task_id=" + TASK + (position == null ? "" : "&since=" + position));
      JsonNode sync = b.await("sync", 10_000);
      if (position != null) {
        assertEquals(
            "resume",
            sync.path("mode").asText(),
            "retained frames are resumed, not re-snapshotted");
        assertTrue(sync.path("recovered").asBoolean());
        resumed++;
      }
      b.awaitCount(b.frames().size() + random.nextInt(15), poster.isDone() ? 0 : 10_000, poster);
      TestServer.await(b.close());
      position = consume(b.frames(), view, seqs, sync);
    }
    poster.get();
    Browser last = server.browser("/socket?task_id=" + TASK + "&since=" + position);
    JsonNode sync = last.await("sync", 10_000);
    TestServer.await(last.barrier());
    consume(last.frames(), view, seqs, sync);

    assertEquals(RECONNECTS, resumed + 1);
    assertEquals(LongsFrom1(POINTS), seqs, "every live frame once, in seq order");
    List<Double> expected = IntStream.range(0, POINTS).mapToObj(i -> (double) i).toList();
    assertEquals(expected, Frames.xs(view, "loss"), "the rebuilt window holds every point once");
  }

  private static List<Long> LongsFrom1(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList();
  }

  /** Applies one connection's frames to the view; returns the resume position it ended at. */
  private static String consume(
      List<JsonNode> frames, TaskState view, List<Long> seqs, JsonNode sync) {
    boolean snapshot = "snapshot".equals(sync.path("mode").asText());
    if (snapshot) {
      view.envs().clear();
      view.getOrCreateEnv("main");
      seqs.clear();
      for (long s = 1; s <= sync.path("seq").asLong(); s++) {
        seqs.add(s);
      }
    }
    long last = sync.path("seq").asLong();
    for (JsonNode f : frames) {
      if (Frames.isLive(f)) {
        assertEquals(last + 1, f.path("seq").asLong(), "contiguous within a connection");
        last = f.path("seq").asLong();
        seqs.add(last);
      }
      Frames.apply(view, f);
    }
    return sync.path("epoch").asText() + ":" + last;
  }

  private void postPoints() {
    try {
      for (int i = 1; i < POINTS; i++) {
        TestServer.Response r = server.post("/update", Frames.body(TASK, "loss", i, i * 0.5));
        if (r.status() != 200) {
          throw new AssertionError("ingest failed: " + r);
        }
      }
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
