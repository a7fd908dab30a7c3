package io.vizrelay.common.visdom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Replays one corpus file against the engine and checks replies, broadcasts and state. */
final class CorpusScenario {
  private static final Set<String> JSON_REPLIES = Set.of("/win_data", "/env_state", "/save");

  private final String name;
  private final List<String> lines;
  private final CorpusDeviations deviations;
  private final TaskState state = new TaskState();
  private final List<Frame> frames = new ArrayList<>();
  private int maxPlaceholder;
  private int contentIds;
  private final VisdomEngine engine =
      new VisdomEngine(
          new IdSource() {
            @Override
            public String contentId() {
              return "cid-" + (++contentIds);
            }

            @Override
            public String windowId() {
              return CorpusNormalizer.concrete(++maxPlaceholder);
            }
          });

  CorpusScenario(Path file) throws IOException {
    this.name = file.getFileName().toString().replace(".jsonl", "");
    this.lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    this.deviations = new CorpusDeviations(name);
  }

  void run() {
    JsonNode header = parse(lines.get(0));
    String env = header.get("env").asText();
    assertEquals(name, header.get("scenario").asText());
    ObserverView visdom =
        new ObserverView(ObserverView.texts(envUpdate(header.at("/observer/on_open"))));
    ObserverView ours = new ObserverView(state.envIds());
    assertEquals(visdom.envs, ours.envs, name + ": initial env list");
    for (int i = 1; i < lines.size() - 1; i++) {
      maxPlaceholder = Math.max(maxPlaceholder, CorpusNormalizer.maxPlaceholder(lines.get(i - 1)));
      JsonNode step = parse(lines.get(i));
      maxPlaceholder =
          Math.max(maxPlaceholder, CorpusNormalizer.maxPlaceholder(step.get("request").toString()));
      runStep(step, env, visdom, ours);
    }
    JsonNode last = parse(lines.get(lines.size() - 1));
    checkRebuild();
    checkLateJoiner(env, last.get("final_state"));
    last.path("final_state_other_envs")
        .fields()
        .forEachRemaining(e -> checkLateJoiner(e.getKey(), e.getValue()));
  }

  private void runStep(JsonNode step, String env, ObserverView visdom, ObserverView ours) {
    int no = step.get("step").asInt();
    String at = name + " step " + no + " (" + step.path("call").asText() + "): ";
    JsonNode request = step.get("request");
    String path = request.get("path").asText();
    String before = Json.string(state.toJson());
    Outcome outcome = null;
    ApiException error = null;
    try {
      VisdomCommand cmd =
          request.has("body_raw")
              ? CorpusRequests.fromRaw(
                  path, CorpusNormalizer.denormalize(request.get("body_raw").asText()))
              : CorpusRequests.toCommand(
                  path, parse(CorpusNormalizer.denormalize(request.get("body").toString())));
      outcome = engine.apply(state, cmd);
    } catch (ApiException e) {
      error = e;
    }
    JsonNode response = step.get("response");
    String expectedBody = deviations.reply(no);
    if (response.get("status").asInt() != 200 && expectedBody == null) {
      // visdom's HTTP 500 for a client mistake: a 400/404 ApiException that changes nothing.
      assertNotNull(error, at + "visdom failed with 500; expected an ApiException, got " + outcome);
      assertTrue(error.status() == 400 || error.status() == 404, at + "status " + error.status());
      assertEquals(
          before, Json.string(state.toJson()), at + "a rejected command changed the state");
      assertTrue(step.get("broadcast").isEmpty(), at + "corpus: a 500 without broadcast");
      return;
    }
    if (error != null) {
      fail(at + "unexpected " + error.code() + ": " + error.getMessage());
    }
    checkReply(
        at,
        no,
        path,
        expectedBody != null ? expectedBody : response.get("body").asText(),
        outcome.reply());
    List<Frame> observed = new ArrayList<>();
    for (Frame f : outcome.frames()) {
      checkFrameShape(at, f);
      frames.add(f);
      if (f.env() == null || f.env().equals(env)) {
        observed.add(f);
        ours.apply(f.message());
      }
    }
    step.get("broadcast").forEach(visdom::apply);
    deviations.adjustVisdom(no, request.get("body"), visdom);
    if (deviations.extraBroadcast(no)) {
      assertTrue(
          step.get("broadcast").isEmpty() && !observed.isEmpty(),
          at + "expected a deliberate extra broadcast");
    } else {
      assertEquals(
          step.get("broadcast").isEmpty(),
          observed.isEmpty(),
          at + "broadcast vs none: " + observed);
    }
    String diff =
        JsonCompare.diff(visdom.snapshot(), deviations.adjustOursAll(no, ours.snapshot()));
    assertNull(diff, at + "observer views differ at " + diff);
    assertEquals(visdom.envs, ours.envs, at + "env lists differ");
  }

  private void checkReply(String at, int no, String path, String expected, Reply reply) {
    boolean json = JSON_REPLIES.contains(path) && !expected.isEmpty();
    assertEquals(json, reply.json(), at + "reply kind for " + reply.body());
    if (!json) {
      assertEquals(expected, CorpusNormalizer.normalizeText(reply.body()), at + "reply");
      return;
    }
    JsonNode ours = CorpusNormalizer.normalize(parse(reply.body()));
    if (ours.has("command")) {
      ours = deviations.adjustOurs(no, ours);
    } else if (ours.isObject()) {
      ours = deviations.adjustOursAll(no, (ObjectNode) ours);
    }
    String diff = JsonCompare.diff(parse(expected), ours);
    assertNull(diff, at + "reply differs at " + diff);
  }

  private static void checkFrameShape(String at, Frame f) {
    String command = f.command();
    assertFalse(f.message().has("seq"), at + "frames carry no seq");
    if (command.equals("env_update")) {
      assertNull(f.env(), at + "env_update is task-wide");
    } else {
      assertNotNull(f.env(), at + command + " frame without env");
    }
    if (f.compact() != null) {
      assertEquals("window_update", command, at + "compact only for window_update");
      assertEquals("append", f.compact().path("command").asText(), at + "compact command");
      f.compact()
          .get("traces")
          .forEach(t -> assertTrue(t.has("index") && t.has("x") && t.has("y"), at + t));
    }
  }

  /**
   * The frames alone rebuild the exact state: as objects, after a JSON round trip, and
   * compact-first.
   */
  private void checkRebuild() {
    TaskState direct = new TaskState();
    TaskState roundTrip = new TaskState();
    TaskState compactFirst = new TaskState();
    for (Frame f : frames) {
      FrameApplier.apply(direct, f.message(), f.env());
      FrameApplier.apply(
          roundTrip, (ObjectNode) Json.parseTrusted(Json.bytes(f.message())), f.env());
      FrameApplier.apply(compactFirst, f.compact() != null ? f.compact() : f.message(), f.env());
    }
    for (TaskState rebuilt : List.of(direct, roundTrip, compactFirst)) {
      assertEquals(state.envIds(), rebuilt.envIds(), name + ": rebuilt env order");
      state
          .envs()
          .forEach(
              (eid, e) ->
                  assertEquals(
                      new ArrayList<>(e.windows().keySet()),
                      new ArrayList<>(rebuilt.env(eid).windows().keySet()),
                      name + ": rebuilt window order in " + eid));
      assertNull(
          JsonCompare.diff(state.toJson(), rebuilt.toJson()), name + ": rebuilt state differs");
    }
    assertTrue(
        state.toJson().equals(direct.toJson()),
        name + ": rebuilt state is not identical (node types)");
  }

  private void checkLateJoiner(String eid, JsonNode messages) {
    String at = name + " late joiner of " + eid + ": ";
    assertEquals(ObserverView.texts(envUpdate(messages)), state.envIds(), at + "env list");
    EnvState env = state.env(eid);
    List<JsonNode> windows = new ArrayList<>();
    JsonNode reload = null;
    for (JsonNode m : messages) {
      switch (m.path("command").asText()) {
        case "window" -> windows.add(m);
        case "reload" -> reload = m.get("data");
        default -> {}
      }
    }
    assertEquals(reload != null, env != null, at + "reload iff the env exists");
    List<JsonNode> ourWindows =
        env == null ? List.of() : CorpusNormalizer.normalizeAll(env.windowsInReplayOrder());
    assertEquals(windows.size(), ourWindows.size(), at + "window count");
    for (int i = 0; i < windows.size(); i++) {
      String diff =
          JsonCompare.diff(
              windows.get(i), deviations.adjustOurs(Integer.MAX_VALUE, ourWindows.get(i)));
      assertNull(diff, at + "window " + i + " differs at " + diff);
    }
    if (env != null) {
      assertNull(JsonCompare.diff(reload, env.reload()), at + "reload");
    }
  }

  private static JsonNode envUpdate(JsonNode messages) {
    for (JsonNode m : messages) {
      if (m.path("command").asText().equals("env_update")) {
        return m.get("data");
      }
    }
    throw new AssertionError("no env_update in " + messages);
  }

  private static JsonNode parse(String text) {
    return Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8));
  }
}
