package io.vizrelay.common.visdom;

import static io.vizrelay.common.visdom.EngineFixture.arr;
import static io.vizrelay.common.visdom.EngineFixture.json;
import static io.vizrelay.common.visdom.EngineFixture.obj;
import static io.vizrelay.common.visdom.EngineFixture.range;
import static io.vizrelay.common.visdom.EngineFixture.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import org.junit.jupiter.api.Test;

/** /update emits its patch while mutating: O(new points), never O(window). */
class AppendDeltaTest {

  private static ArrayNode onePoint(double x, double y) {
    return Json.NODES.arrayNode().add(trace("1", new double[] {x}, new double[] {y}));
  }

  @Test
  void onePointAppendToA100kPointWindowIsFourOps() {
    EngineFixture f = new EngineFixture();
    f.line("main", "big", 100_000);
    Outcome out = f.append("main", "big", null, onePoint(100_000, 7.5));
    assertEquals("big", out.reply().body());
    assertEquals(1, out.frames().size());
    ObjectNode message = out.frames().get(0).message();
    assertEquals(
        json(
            "{'command':'window_update','win':'big','env':'main','content':["
                + "{'op':'replace','path':'/version','value':2},"
                + "{'op':'add','path':'/content/data/0/x/100000','value':100000.0},"
                + "{'op':'add','path':'/content/data/0/y/100000','value':7.5},"
                + "{'op':'replace','path':'/contentID','value':'cid-2'}],'version':2}"),
        message);
    f.assertFramesRebuildState();
  }

  @Test
  void theOpCountDependsOnTheAppendNotOnTheWindowSize() {
    for (int size : new int[] {1, 1_000, 200_000}) {
      EngineFixture f = new EngineFixture();
      f.line("main", "w", size);
      Outcome out =
          f.append(
              "main", "w", null, Json.NODES.arrayNode().add(trace("1", range(0, 3), range(0, 3))));
      assertEquals(
          2 + 2 * 3, out.frames().get(0).message().get("content").size(), "window of " + size);
    }
  }

  @Test
  void aPureAppendAlsoHasACompactFrameOfTheSameNumbers() {
    EngineFixture f = new EngineFixture();
    f.line("main", "w", 10);
    ArrayNode data =
        Json.NODES.arrayNode().add(trace("1", new double[] {10, 11}, new double[] {0.25, 0.5}));
    Frame frame = f.append("main", "w", null, data).frames().get(0);
    assertEquals(
        json(
            "{'command':'append','win':'w','env':'main','version':2,'contentID':'cid-2',"
                + "'traces':[{'index':0,'x':[10.0,11.0],'y':[0.25,0.5]}]}"),
        frame.compact());
    String points = Json.string(frame.compact().get("traces").get(0));
    String ingest =
        "{\"x\":"
            + Json.string(data.get(0).get("x"))
            + ",\"y\":"
            + Json.string(data.get(0).get("y"))
            + "}";
    assertTrue(points.length() <= ingest.length() + 12, points + " vs " + ingest);
    assertCompactEquivalent(f);
  }

  @Test
  void markerColorsAreAppendedAndCarriedInTheCompactFrame() {
    EngineFixture f = new EngineFixture();
    ObjectNode t = trace("dogs", new double[] {1}, new double[] {1});
    t.putObject("marker").putArray("color").add("#0000ff");
    f.apply(
        new VisdomCommand.CreateWindow(
            "main", "sc", Json.NODES.arrayNode().add(t), obj("{}"), obj("{}")));
    ObjectNode add = trace("dogs", new double[] {2}, new double[] {2});
    add.putObject("marker").putArray("color").add("#ff0000");
    Frame frame = f.append("main", "sc", "dogs", Json.NODES.arrayNode().add(add)).frames().get(0);
    assertEquals(arr("['#ff0000']"), frame.compact().get("traces").get(0).get("marker_color"));
    assertEquals(
        arr("['#0000ff','#ff0000']"),
        f.state.env("main").window("sc").at("/content/data/0/marker/color"));
    assertCompactEquivalent(f);
  }

  @Test
  void anOptsChangeOrANewTraceIsNotAPureAppend() {
    EngineFixture f = new EngineFixture();
    f.line("main", "w", 3);
    Outcome withOpts =
        f.apply(
            new VisdomCommand.UpdateWindow(
                "main",
                "w",
                onePoint(3, 3),
                obj("{}"),
                obj("{'markers': false}"),
                null,
                true,
                false,
                null));
    assertNull(withOpts.frames().get(0).compact());
    assertEquals(
        json("{'op':'add','path':'/markers','value':false}"),
        withOpts.frames().get(0).message().at("/content/0"));
    Outcome sameOpts =
        f.apply(
            new VisdomCommand.UpdateWindow(
                "main",
                "w",
                onePoint(4, 4),
                obj("{}"),
                obj("{'markers': false}"),
                null,
                true,
                false,
                null));
    assertNotNull(sameOpts.frames().get(0).compact(), "unchanged opts keep the append pure");
    Outcome newTrace = f.append("main", "w", "val", onePoint(0, 1));
    assertNull(newTrace.frames().get(0).compact());
    assertEquals(
        "/content/data/1", newTrace.frames().get(0).message().at("/content/1/path").asText());
    f.assertFramesRebuildState();
  }

  @Test
  void anAllNullXEntryIsSkippedAndTheRestApplied() {
    EngineFixture f = new EngineFixture();
    f.apply(
        new VisdomCommand.CreateWindow(
            "main",
            "n",
            Json.NODES
                .arrayNode()
                .add(trace("1", range(0, 2), range(0, 2)))
                .add(trace("2", range(0, 2), range(0, 2))),
            obj("{}"),
            obj("{}")));
    ArrayNode data = arr("[{'x':[null],'y':[4.0]},{'x':[3.0],'y':[40.0]}]");
    Outcome out = f.append("main", "n", null, data);
    assertEquals("n", out.reply().body());
    ObjectNode w = f.state.env("main").window("n");
    assertEquals(arr("[0.0,1.0]"), w.at("/content/data/0/x"));
    assertEquals(arr("[0.0,1.0,3.0]"), w.at("/content/data/1/x"));
    assertEquals(2, w.get("version").asInt());
    assertEquals(1, out.frames().get(0).compact().get("traces").size());
    assertCompactEquivalent(f);
  }

  @Test
  void aFrameIsNeverChangedByLaterUpdates() {
    EngineFixture f = new EngineFixture();
    f.line("main", "w", 2);
    Frame added = f.append("main", "w", "val", onePoint(0, 1)).frames().get(0);
    String before = Json.string(added.message());
    f.append("main", "w", "val", onePoint(1, 2));
    f.apply(
        new VisdomCommand.UpdateWindow(
            "main",
            "w",
            null,
            obj("{'title': 'x'}"),
            obj("{'legend': ['a','b']}"),
            null,
            false,
            false,
            null));
    assertEquals(before, Json.string(added.message()));
    f.assertFramesRebuildState();
  }

  /** Rebuilding with the compact frame wherever there is one gives the same state. */
  private static void assertCompactEquivalent(EngineFixture f) {
    TaskState rebuilt = new TaskState();
    for (Frame frame : f.frames) {
      FrameApplier.apply(
          rebuilt, frame.compact() != null ? frame.compact() : frame.message(), frame.env());
    }
    assertEquals(Json.string(f.state.toJson()), Json.string(rebuilt.toJson()));
    f.assertFramesRebuildState();
  }
}
