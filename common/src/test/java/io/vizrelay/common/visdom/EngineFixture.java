package io.vizrelay.common.visdom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A task state, an engine with counter ids, every frame it made, and request builders. */
final class EngineFixture {
  final TaskState state = new TaskState();
  final List<Frame> frames = new ArrayList<>();
  private int contentIds;
  private int windowIds;
  final VisdomEngine engine;

  EngineFixture() {
    this(Limits.DEFAULTS);
  }

  EngineFixture(Limits limits) {
    engine =
        new VisdomEngine(
            new IdSource() {
              @Override
              public String contentId() {
                return "cid-" + (++contentIds);
              }

              @Override
              public String windowId() {
                return "server-win-" + (++windowIds);
              }
            },
            limits);
  }

  Outcome apply(VisdomCommand cmd) {
    Outcome outcome = engine.apply(state, cmd);
    frames.addAll(outcome.frames());
    return outcome;
  }

  static JsonNode json(String text) {
    return Json.parseTrusted(text.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  static ObjectNode obj(String text) {
    return (ObjectNode) json(text);
  }

  static ArrayNode arr(String text) {
    return (ArrayNode) json(text);
  }

  /** A stock-client line trace with the given x and y. */
  static ObjectNode trace(String name, double[] x, double[] y) {
    ObjectNode t = Json.object();
    ArrayNode xs = t.putArray("x");
    ArrayNode ys = t.putArray("y");
    for (int i = 0; i < x.length; i++) {
      xs.add(x[i]);
      ys.add(y[i]);
    }
    t.put("name", name).put("type", "scatter").put("mode", "lines");
    return t;
  }

  static double[] range(int from, int to) {
    double[] out = new double[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = i;
    }
    return out;
  }

  Outcome line(String eid, String win, int points) {
    return apply(
        new VisdomCommand.CreateWindow(
            eid,
            win,
            Json.NODES.arrayNode().add(trace("1", range(0, points), range(0, points))),
            obj("{'showlegend': false}"),
            obj("{'title': 't'}")));
  }

  Outcome append(String eid, String win, String name, ArrayNode data) {
    return apply(
        new VisdomCommand.UpdateWindow(
            eid, win, data, obj("{}"), obj("{}"), name, true, false, null));
  }

  /** The frames made so far rebuild exactly this fixture's state. */
  void assertFramesRebuildState() {
    TaskState rebuilt = new TaskState();
    TaskState viaJson = new TaskState();
    for (Frame f : frames) {
      FrameApplier.apply(rebuilt, f.message(), f.env());
      FrameApplier.apply(viaJson, (ObjectNode) Json.parseTrusted(Json.bytes(f.message())), f.env());
    }
    assertEquals(state.envIds(), rebuilt.envIds());
    assertEquals(Json.string(state.toJson()), Json.string(rebuilt.toJson()));
    assertTrue(
        JsonCompare.diff(state.toJson(), viaJson.toJson()) == null, "JSON round trip rebuild");
  }

  String snapshot() {
    return Json.string(state.toJson());
  }
}
