package io.vizrelay.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.Frame;
import io.vizrelay.common.visdom.FrameApplier;
import io.vizrelay.common.visdom.IdSource;
import io.vizrelay.common.visdom.Outcome;
import io.vizrelay.common.visdom.TaskState;
import io.vizrelay.common.visdom.VisdomCommand;
import io.vizrelay.common.visdom.VisdomEngine;
import org.junit.jupiter.api.Test;

/**
 * A pure append is stored compact-only; the visdom frame derived from it changes a window exactly
 * as the engine's patch.
 */
class FrameCodecTest {
  private final VisdomEngine engine = new VisdomEngine(IdSource.RANDOM);

  @Test
  void theDerivedWindowUpdateAppliesLikeTheEnginesPatch() {
    TaskState state = new TaskState();
    engine.apply(state, update(0, 3));
    TaskState viaPatch = TaskState.fromJson(state.toJson().deepCopy());
    TaskState viaDerived = TaskState.fromJson(state.toJson().deepCopy());

    Outcome outcome = engine.apply(state, update(3, 100));
    Frame frame = outcome.frames().get(0);
    Delta delta = FrameCodec.encode("t-1", "e", 2, frame);
    assertTrue(delta.compactOnly(), "a pure append is compact-only");
    assertEquals(delta.compact(), delta.stored(), "the log keeps the compact bytes");

    FrameApplier.apply(viaPatch, frame.message(), "main");
    ObjectNode derived = (ObjectNode) Json.parseTrusted(delta.visdom().getBytes());
    assertEquals("window_update", derived.path("command").asText());
    assertEquals(2, derived.path("seq").asLong());
    derived.remove("seq");
    FrameApplier.apply(viaDerived, derived, "main");
    assertEquals(viaPatch.toJson(), viaDerived.toJson());
    assertEquals(state.toJson(), viaDerived.toJson());

    Delta stored = FrameCodec.decodeStored("t-1", "e", 2, "main", delta.stored().getBytes());
    assertTrue(stored.compactOnly(), "read back from the log it stays compact-only");
    assertTrue(
        delta.stored().length() * 5 < Json.bytes(frame.message()).length,
        "the compact form is several times smaller than the per-element patch");
  }

  @Test
  void aWindowCreationKeepsItsFullVisdomFrame() {
    Outcome outcome = engine.apply(new TaskState(), update(0, 3));
    Delta delta = FrameCodec.encode("t-1", "e", 1, outcome.frames().get(0));
    assertFalse(delta.compactOnly());
    assertEquals("window", Json.parseTrusted(delta.stored().getBytes()).path("command").asText());
  }

  @Test
  void aLateJoinReusesTheBytesOfAnUnchangedWindowAndReEncodesAChangedOne() {
    TaskState state = new TaskState();
    engine.apply(state, update(0, 10));
    WindowBytesCache cache = new WindowBytesCache();
    var first = FrameCodec.snapshot("t-1", "e", 1, state, "main", cache).frames().get(1);
    cache.endSnapshot(state.windowCount());
    var second = FrameCodec.snapshot("t-1", "e", 1, state, "main", cache).frames().get(1);
    cache.endSnapshot(state.windowCount());
    assertTrue(first == second, "unchanged window: the same bytes");
    engine.apply(state, update(10, 1));
    var third = FrameCodec.snapshot("t-1", "e", 2, state, "main", cache).frames().get(1);
    assertFalse(first == third, "changed window: encoded again");
    assertEquals(11, Json.parseTrusted(third.getBytes()).at("/content/data/0/x").size());
  }

  private static VisdomCommand update(int from, int points) {
    ObjectNode trace = Json.object();
    ArrayNode x = trace.putArray("x");
    ArrayNode y = trace.putArray("y");
    for (int i = from; i < from + points; i++) {
      x.add((double) i);
      y.add(i * 0.25);
    }
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    return new VisdomCommand.UpdateWindow(
        "main",
        "loss",
        Json.NODES.arrayNode().add(trace),
        Json.object(),
        Json.object(),
        "train",
        true,
        false,
        null);
  }
}
