package io.vizrelay.common.visdom;

import static io.vizrelay.common.visdom.EngineFixture.obj;
import static io.vizrelay.common.visdom.EngineFixture.range;
import static io.vizrelay.common.visdom.EngineFixture.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.FrameCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The per-element ops of an append are built only when the visdom message is read: never for a pure
 * append that is encoded, logged and relayed compact-only, and always the same bytes as if they had
 * been built while the update ran.
 */
class LazyWindowUpdateTest {

  private static ArrayNode points(int from, int to) {
    return Json.NODES.arrayNode().add(trace("1", range(from, to), range(from, to)));
  }

  @Test
  void encodingAPureAppendIntoALargeWindowBuildsNoOps() {
    EngineFixture f = new EngineFixture();
    f.line("main", "big", 200_000);
    Frame frame = f.append("main", "big", null, points(200_000, 201_000)).frames().get(0);
    assertFalse(frame.messageBuilt(), "the engine builds no visdom ops for a pure append");

    Delta delta = FrameCodec.encode("t", "e", 2, frame);
    assertTrue(delta.compactOnly());
    delta.visdom();
    assertFalse(
        frame.messageBuilt(), "encoding, logging and deriving the visdom bytes need no ops");

    assertEquals(2 + 2 * 1_000, frame.message().get("content").size());
    assertTrue(frame.messageBuilt());
    assertEquals("/content/data/0/y/200999", frame.message().at("/content/2000/path").asText());
  }

  @Test
  void anAppendWithMarkerColorsIsEncodedFromItsOps() {
    EngineFixture f = new EngineFixture();
    ObjectNode t = trace("dogs", new double[] {1}, new double[] {1});
    f.apply(
        new VisdomCommand.CreateWindow(
            "main", "sc", Json.NODES.arrayNode().add(t), obj("{}"), obj("{}")));
    ObjectNode add = trace("dogs", new double[] {2, 3}, new double[] {4, 5});
    add.putObject("marker").putArray("color").add("#ff0000").add("#00ff00");
    Frame frame = f.append("main", "sc", "dogs", Json.NODES.arrayNode().add(add)).frames().get(0);

    Delta delta = FrameCodec.encode("t", "e", 7, frame);
    assertFalse(delta.compactOnly(), "marker colours are not derivable from the compact form");
    assertEquals(
        "{\"command\":\"window_update\",\"seq\":7,\"env\":\"main\",\"win\":\"sc\",\"content\":["
            + "{\"op\":\"replace\",\"path\":\"/version\",\"value\":2},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/x/1\",\"value\":2.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/x/2\",\"value\":3.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/y/1\",\"value\":4.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/y/2\",\"value\":5.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/marker\",\"value\":{}},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/marker/color\",\"value\":[]},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/marker/color/0\",\"value\":\"#ff0000\"},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/marker/color/1\",\"value\":\"#00ff00\"},"
            + "{\"op\":\"replace\",\"path\":\"/contentID\",\"value\":\"cid-2\"}],\"version\":2}",
        delta.visdom().toString(StandardCharsets.UTF_8));
    f.assertFramesRebuildState();
  }

  @Test
  void aMessageReadAfterLaterUpdatesIsTheOneReadAtOnce() {
    EngineFixture late = new EngineFixture();
    EngineFixture early = new EngineFixture();
    late.line("main", "w", 3);
    early.line("main", "w", 3);
    Frame lateFrame = late.append("main", "w", null, points(3, 5)).frames().get(0);
    byte[] earlyBytes =
        Json.bytes(early.append("main", "w", null, points(3, 5)).frames().get(0).message());

    late.append("main", "w", null, points(5, 9));
    late.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "w",
            points(0, 2),
            obj("{'title': 'x'}"),
            obj("{'legend': ['a']}"),
            null,
            false,
            false,
            null));
    late.append("main", "w", null, points(2, 4));
    assertFalse(lateFrame.messageBuilt());

    assertEquals(
        new String(earlyBytes, StandardCharsets.UTF_8),
        new String(Json.bytes(lateFrame.message()), StandardCharsets.UTF_8));
    assertEquals(
        "{\"command\":\"window_update\",\"win\":\"w\",\"env\":\"main\",\"content\":["
            + "{\"op\":\"replace\",\"path\":\"/version\",\"value\":2},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/x/3\",\"value\":3.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/x/4\",\"value\":4.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/y/3\",\"value\":3.0},"
            + "{\"op\":\"add\",\"path\":\"/content/data/0/y/4\",\"value\":4.0},"
            + "{\"op\":\"replace\",\"path\":\"/contentID\",\"value\":\"cid-2\"}],\"version\":2}",
        new String(earlyBytes, StandardCharsets.UTF_8));
    late.assertFramesRebuildState();
  }
}
