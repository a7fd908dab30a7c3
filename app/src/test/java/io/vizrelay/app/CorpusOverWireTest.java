package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.visdom.CorpusDeviations;
import io.vizrelay.common.visdom.CorpusNormalizer;
import io.vizrelay.common.visdom.JsonCompare;
import io.vizrelay.common.visdom.ObserverView;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The visdom 0.2.4 conformance corpus (common's test resources {@code visdom-corpus}) replayed
 * against the real embedded server over real HTTP and a real WebSocket, one dynamic test per
 * recording, as the corpus README's "Using the corpus in a server test" describes.
 *
 * <p>Each recording runs in its own task and the scenarios rotate through the three addressing
 * modes of docs/ARCHITECTURE.md "Task addressing on ingest": {@link Mode#PATH} ({@code
 * /task/<tid>/...}, observer on {@code /task/<tid>/socket} subscribed with {@code POST
 * /task/<tid>/env/<env> {sid}}), {@link Mode#BODY} ({@code task_id} in every body, observer on
 * {@code /socket?task_id=<tid>&env=<env>} with automatic replay) and {@link Mode#DEFAULT} (nothing
 * names the task: a dedicated server whose {@code VIZRELAY_DEFAULT_TASK} is fresh, observer on
 * plain {@code /socket} + {@code POST /env/<env> {sid}}).
 *
 * <p>Per step: the reply (visdom's 500 must be a 4xx JSON error that broadcasts nothing), the
 * frames the observer gets for it (collected with the ping/pong barrier; each live frame carries
 * {@code seq}, strictly increasing, contiguous when the recording writes to one env only) applied
 * to a browser-side view (full windows put, {@code window_update} RFC 6902 patches applied) that
 * must equal the view visdom's observer built from the recorded broadcasts. At the end a late
 * joiner per env must receive {@code final_state}. The documented deviations are the engine test's
 * ({@link CorpusDeviations}); on the wire vizrelay also adds {@code sync} frames, the {@code
 * seq}/{@code env} envelope members, on every (re)play an {@code env_update} that repeats the env
 * list the socket already has, and out-of-band {@code task_status} frames: these are ignored.
 */
class CorpusOverWireTest {
  private static final int CORPUS_FILES = 28;
  private static final long WAIT_MS = 10_000;
  private static final Set<String> JSON_REPLIES = Set.of("/win_data", "/env_state", "/save");

  /** A window id the server made ({@code window_} + uuid4). */
  private static final Pattern SERVER_ID =
      Pattern.compile("window_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private static final Pattern PLACEHOLDER = Pattern.compile("win#(\\d+)");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /**
   * How the scenario's requests and sockets name the task (docs/ARCHITECTURE.md "Task addressing on
   * ingest").
   */
  enum Mode {
    PATH,
    BODY,
    DEFAULT
  }

  @TempDir static Path dir;
  static TestServer shared;

  @BeforeAll
  static void start() throws Exception {
    shared = TestServer.start(Files.createDirectories(dir.resolve("shared")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (shared != null) {
      shared.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyRecordingReplaysLikeVisdomOverTheWire() throws Exception {
    List<Recording> recordings = corpus();
    assertEquals(CORPUS_FILES, recordings.size(), "corpus files");
    return IntStream.range(0, recordings.size())
        .mapToObj(
            i -> {
              Recording r = recordings.get(i);
              Mode mode = Mode.values()[i % Mode.values().length];
              return DynamicTest.dynamicTest(
                  r.name() + " [" + mode + "]", () -> runIsolated(r, mode, i));
            });
  }

  private static void runIsolated(Recording r, Mode mode, int index) throws Exception {
    String taskId = "corpus-" + index + "-" + r.name();
    if (mode != Mode.DEFAULT) {
      new WireScenario(r, mode, taskId, shared).run();
      return;
    }
    Path data = Files.createDirectories(dir.resolve("default-" + index));
    try (TestServer own = TestServer.start(data, Map.of("VIZRELAY_DEFAULT_TASK", taskId))) {
      new WireScenario(r, mode, taskId, own).run();
    }
  }

  record Recording(String name, List<String> lines) {}

  /** The corpus files, from a directory or from common's test jar. */
  private static List<Recording> corpus() throws Exception {
    URI uri = CorpusOverWireTest.class.getResource("/visdom-corpus/README.md").toURI();
    if (!"jar".equals(uri.getScheme())) {
      return read(Path.of(uri).getParent());
    }
    FileSystem fs;
    boolean opened = false;
    try {
      fs = FileSystems.newFileSystem(uri, Map.of());
      opened = true;
    } catch (FileSystemAlreadyExistsException e) {
      fs = FileSystems.getFileSystem(uri);
    }
    try {
      return read(fs.getPath("/visdom-corpus"));
    } finally {
      if (opened) {
        fs.close();
      }
    }
  }

  private static List<Recording> read(Path corpusDir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(corpusDir)) {
      files =
          list.filter(p -> p.getFileName().toString().endsWith(".jsonl"))
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
    }
    List<Recording> out = new ArrayList<>();
    for (Path f : files) {
      out.add(
          new Recording(
              f.getFileName().toString().replace(".jsonl", ""),
              Files.readAllLines(f, StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** One recording replayed over the wire against one server, in one task. */
  private static final class WireScenario {
    private final String name;
    private final List<String> lines;
    private final Mode mode;
    private final String taskId;
    private final TestServer server;
    private final CorpusDeviations deviations;

    /**
     * Placeholder number to the concrete id used on the wire (server-made ids only; others are
     * concrete(N)).
     */
    private final Map<Integer, String> serverIdByN = new HashMap<>();

    private final Map<String, Integer> nByServerId = new HashMap<>();
    private int maxPlaceholder;
    private String env;
    private boolean contiguous;
    private long lastSeq = -1;

    WireScenario(Recording r, Mode mode, String taskId, TestServer server) {
      this.name = r.name();
      this.lines = r.lines();
      this.mode = mode;
      this.taskId = taskId;
      this.server = server;
      this.deviations = new CorpusDeviations(name);
    }

    void run() throws Exception {
      JsonNode header = parse(lines.get(0));
      JsonNode last = parse(lines.get(lines.size() - 1));
      assertEquals(name, header.get("scenario").asText());
      env = header.get("env").asText();
      contiguous = !last.has("final_state_other_envs");
      Browser observer = connectObserver(header.get("observer"));
      try {
        ObserverView visdom =
            new ObserverView(ObserverView.texts(envUpdate(header.at("/observer/on_open"))));
        ObserverView ours = new ObserverView(new ArrayList<>(visdom.envs));
        for (int i = 1; i < lines.size() - 1; i++) {
          maxPlaceholder =
              Math.max(maxPlaceholder, CorpusNormalizer.maxPlaceholder(lines.get(i - 1)));
          JsonNode step = parse(lines.get(i));
          maxPlaceholder =
              Math.max(
                  maxPlaceholder, CorpusNormalizer.maxPlaceholder(step.get("request").toString()));
          runStep(step, observer, visdom, ours);
        }
        lateJoiner(env, last.get("final_state"));
        for (var e : iterable(last.path("final_state_other_envs").fields())) {
          lateJoiner(e.getKey(), e.getValue());
        }
      } finally {
        TestServer.await(observer.close());
      }
    }

    // ---- observer and late joiners -------------------------------------------------------

    /**
     * Connects the observer the mode's way and checks on-open messages, subscription and replay.
     */
    private Browser connectObserver(JsonNode expected) throws Exception {
      String at = name + " [" + mode + "] observer: ";
      Subscribed s = connectAndSubscribe(env, expected.at("/subscribe/response"), at);
      JsonNode envs = compareMessages(at + "on open", expected.get("on_open"), s.onOpen, null);
      compareMessages(at + "subscription replay", expected.at("/subscribe/replay"), s.replay, envs);
      assertEquals(0, s.syncSeq, at + "a fresh task's replay is at seq 0");
      lastSeq = s.syncSeq;
      return s.browser;
    }

    private void lateJoiner(String eid, JsonNode finalState) throws Exception {
      String at = name + " [" + mode + "] late joiner of " + eid + ": ";
      Subscribed s = connectAndSubscribe(eid, null, at);
      try {
        // The replay is at the task's last seq: the observer's last frame, unless frames of other
        // envs followed.
        assertTrue(
            s.syncSeq >= lastSeq,
            at + "replay at seq " + s.syncSeq + " before the observer's " + lastSeq);
        if (contiguous) {
          assertEquals(lastSeq, s.syncSeq, at + "replay seq");
        }
        List<JsonNode> all = new ArrayList<>(s.onOpen);
        all.addAll(s.replay);
        compareMessages(at + "final state", finalState, all, null);
      } finally {
        TestServer.await(s.browser.close());
      }
    }

    /** A socket's frames before and after its subscription, and the seq its replay is at. */
    private record Subscribed(
        Browser browser, List<JsonNode> onOpen, List<JsonNode> replay, long syncSeq) {}

    /**
     * Opens a socket showing {@code eid}: PATH and DEFAULT connect without replay, wait for the
     * on-open {@code env_update} and then POST {@code /env/<eid> {sid}} (visdom's flow); BODY
     * connects with {@code task_id} and {@code env} and is replayed at once. Returns the frames up
     * to and including the replay's {@code layout}, split after the on-open {@code env_update}.
     */
    private Subscribed connectAndSubscribe(String eid, JsonNode expectedResponse, String at)
        throws Exception {
      String enc = URLEncoder.encode(eid, StandardCharsets.UTF_8);
      Browser b =
          server.browser(
              switch (mode) {
                case PATH -> "/task/" + taskId + "/socket";
                case BODY -> "/socket?task_id=" + taskId + "&env=" + enc;
                case DEFAULT -> "/socket";
              });
      int split;
      if (mode == Mode.BODY) {
        awaitFrame(b, 0, f -> isLayoutOf(f, eid), at + "replay layout");
        TestServer.await(b.barrier());
        split = awaitFrame(b, 0, f -> "env_update".equals(command(f)), at + "env_update") + 1;
      } else {
        awaitFrame(b, 0, f -> "env_update".equals(command(f)), at + "on-open env_update");
        TestServer.await(b.barrier());
        split = b.frames().size();
        String path = (mode == Mode.PATH ? "/task/" + taskId : "") + "/env/" + enc;
        TestServer.Response r = server.post(path, "{\"sid\": \"" + b.sid() + "\"}");
        int status = expectedResponse == null ? 200 : expectedResponse.get("status").asInt();
        String body = expectedResponse == null ? "" : expectedResponse.get("body").asText();
        assertEquals(status, r.status(), at + "subscription status: " + r.body());
        assertEquals(body, r.body(), at + "subscription reply");
        awaitFrame(b, split, f -> isLayoutOf(f, eid), at + "replay layout");
        TestServer.await(b.barrier());
      }
      List<JsonNode> frames = b.frames();
      String sid = b.sid();
      assertTrue(UUID.matcher(sid).matches(), at + "sid is a uuid: " + sid);
      long syncSeq = -1;
      for (JsonNode f : frames) {
        if ("sync".equals(command(f))) {
          assertEquals(taskId, f.path("task_id").asText(), at + "sync names the task: " + f);
          assertEquals(eid, f.path("env").asText(), at + "sync names the env: " + f);
          syncSeq = f.path("seq").asLong();
        }
      }
      assertTrue(syncSeq >= 0, at + "no sync frame before the replay: " + frames);
      return new Subscribed(
          b,
          taskFrames(at, frames.subList(0, split)),
          taskFrames(at, frames.subList(split, frames.size())),
          syncSeq);
    }

    /**
     * Compares a socket's messages with the recorded ones: vizrelay's {@code sync} frames are
     * dropped, and so is an {@code env_update} repeating the env list the socket already got
     * ({@code knownEnvs}, or an earlier one in {@code got}); returns the socket's env list; {@code
     * seq} and the {@code env} member vizrelay adds are removed; the sid becomes {@code <sid>}; ids
     * and contentIDs are normalised.
     */
    private JsonNode compareMessages(
        String at, JsonNode expected, List<JsonNode> got, JsonNode knownEnvs) {
      ArrayNode ours = Json.NODES.arrayNode();
      JsonNode envs = knownEnvs;
      for (JsonNode f : got) {
        String c = command(f);
        if ("sync".equals(c)) {
          continue;
        }
        if ("env_update".equals(c)) {
          if (f.get("data").equals(envs)) {
            continue;
          }
          envs = f.get("data");
        }
        ObjectNode m = strip(f);
        if ("register".equals(c)) {
          m.set("data", TextNode.valueOf("<sid>"));
        }
        JsonNode n = CorpusNormalizer.normalize(m);
        ours.add("window".equals(c) ? deviations.adjustOurs(Integer.MAX_VALUE, n) : n);
      }
      String diff = JsonCompare.diff(expected, ours);
      assertNull(
          diff,
          at
              + " differs at "
              + diff
              + "\n expected "
              + shorten(expected)
              + "\n got      "
              + shorten(ours));
      return envs;
    }

    // ---- steps ------------------------------------------------------------------------------

    private void runStep(JsonNode step, Browser observer, ObserverView visdom, ObserverView ours)
        throws Exception {
      int no = step.get("step").asInt();
      String at = name + " [" + mode + "] step " + no + " (" + step.path("call").asText() + "): ";
      JsonNode request = step.get("request");
      String path = request.get("path").asText();
      int before = observer.frames().size();
      TestServer.Response r = server.post(wirePath(path), wireBody(request));

      JsonNode response = step.get("response");
      String expectedBody = deviations.reply(no);
      boolean rejected = response.get("status").asInt() != 200 && expectedBody == null;
      boolean expectFrames = !step.get("broadcast").isEmpty() || deviations.extraBroadcast(no);
      long storeSeq = expectFrames && !rejected ? storeSeq() : -1;
      List<JsonNode> got =
          taskFrames(at, stepFrames(observer, before, storeSeq > lastSeq ? storeSeq : -1));
      if (rejected) {
        checkError(at, r);
        assertTrue(got.isEmpty(), at + "a rejected request broadcast " + got);
        assertTrue(step.get("broadcast").isEmpty(), at + "corpus: a 500 without broadcast");
        return;
      }
      assertEquals(200, r.status(), at + "status; body " + r.body());
      checkReply(
          at,
          no,
          path,
          expectedBody != null ? expectedBody : response.get("body").asText(),
          r.body());

      for (JsonNode f : got) {
        checkSeq(at, f);
        ours.apply(fromWire(strip(f)));
      }
      step.get("broadcast").forEach(visdom::apply);
      deviations.adjustVisdom(no, request.get("body"), visdom);
      if (deviations.extraBroadcast(no)) {
        assertTrue(
            step.get("broadcast").isEmpty() && !got.isEmpty(),
            at + "expected a deliberate extra broadcast");
      } else {
        assertEquals(
            step.get("broadcast").isEmpty(), got.isEmpty(), at + "broadcast vs none: " + got);
      }
      String diff =
          JsonCompare.diff(visdom.snapshot(), deviations.adjustOursAll(no, ours.snapshot()));
      assertNull(diff, at + "observer views differ at " + diff);
      assertEquals(visdom.envs, ours.envs, at + "env lists differ");
    }

    /**
     * The frames the observer got for one request: everything up to the barrier's pong. When the
     * request made a delta the observer's env sees ({@code untilSeq} ≥ 0), first everything up to
     * the frame of that seq: with several event loops the delta reaches the socket's loop on its
     * own way from the store, so a barrier alone could leave the request's last frame to the next
     * step.
     */
    private static List<JsonNode> stepFrames(Browser observer, int before, long untilSeq)
        throws Exception {
      if (untilSeq >= 0) {
        awaitFrame(observer, before, f -> f.path("seq").asLong(-1) >= untilSeq, "seq " + untilSeq);
      }
      TestServer.await(observer.barrier());
      List<JsonNode> all = observer.frames();
      return new ArrayList<>(all.subList(before, all.size()));
    }

    /**
     * The last seq the observer must see after a request was answered: the newest delta since the
     * observer's last frame that is visible in its env (-1: none, or no longer retained).
     */
    private long storeSeq() throws Exception {
      TaskStore store = server.server.store();
      TaskStore.TaskStats stats = TestServer.await(store.stats(taskId));
      if (stats == null || stats.lastSeq() <= lastSeq) {
        return -1;
      }
      long newest = -1;
      for (Delta d : TestServer.await(store.since(taskId, stats.epoch(), lastSeq)).deltas()) {
        if (d.visibleIn(env)) {
          newest = Math.max(newest, d.seq());
        }
      }
      return newest;
    }

    private void checkSeq(String at, JsonNode f) {
      assertFalse("sync".equals(command(f)), at + "an unexpected re-sync during the steps: " + f);
      assertTrue(
          f.has("seq") && f.get("seq").canConvertToLong(), at + "live frame without seq: " + f);
      long seq = f.get("seq").asLong();
      assertTrue(seq > lastSeq, at + "seq " + seq + " after " + lastSeq);
      if (contiguous) {
        assertEquals(lastSeq + 1, seq, at + "seq gap in a one-env recording: " + f);
      }
      lastSeq = seq;
      String c = command(f);
      if ("env_update".equals(c)) {
        assertFalse(f.has("env"), at + "env_update is task-wide: " + f);
      } else {
        assertEquals(env, f.path("env").asText(), at + "frame of another env: " + f);
      }
    }

    private static void checkError(String at, TestServer.Response r) {
      assertTrue(
          r.status() >= 400 && r.status() < 500,
          at + "visdom's 500 must be a 4xx, got " + r.status() + " " + r.body());
      JsonNode body;
      try {
        body = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        throw new AssertionError(at + "error body is not JSON: " + r.body(), e);
      }
      JsonNode error = body.get("error");
      assertTrue(
          body.isObject() && body.size() == 1 && error != null && error.isObject(),
          at + "error shape: " + r.body());
      assertTrue(
          error.path("code").isTextual() && !error.get("code").asText().isEmpty(),
          at + "error.code: " + r.body());
      assertTrue(
          error.path("message").isTextual() && !error.get("message").asText().isEmpty(),
          at + "error.message: " + r.body());
    }

    private void checkReply(String at, int no, String path, String expected, String body) {
      boolean json = JSON_REPLIES.contains(path) && !expected.isEmpty();
      if (!json) {
        assertEquals(expected, CorpusNormalizer.normalizeText(fromWireText(body)), at + "reply");
        return;
      }
      JsonNode ours = CorpusNormalizer.normalize(parse(fromWireText(body)));
      if (ours.has("command")) {
        ours = deviations.adjustOurs(no, ours);
      } else if (ours.isObject()) {
        ours = deviations.adjustOursAll(no, (ObjectNode) ours);
      }
      String diff = JsonCompare.diff(parse(expected), ours);
      assertNull(diff, at + "reply differs at " + diff);
    }

    // ---- requests and ids -------------------------------------------------------------------

    private String wirePath(String path) {
      return mode == Mode.PATH ? "/task/" + taskId + path : path;
    }

    private String wireBody(JsonNode request) {
      if (request.has("body_raw")) {
        return toWire(request.get("body_raw").asText());
      }
      ObjectNode body = (ObjectNode) parse(toWire(request.get("body").toString()));
      if (mode == Mode.BODY) {
        body.put("task_id", taskId);
      }
      return Json.string(body);
    }

    /** {@code win#N} to the id the server knows: {@code window_%014x}, or the uuid id it made. */
    private String toWire(String text) {
      Matcher m = PLACEHOLDER.matcher(text);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        int n = Integer.parseInt(m.group(1));
        m.appendReplacement(sb, serverIdByN.getOrDefault(n, CorpusNormalizer.concrete(n)));
      }
      m.appendTail(sb);
      return sb.toString();
    }

    /**
     * Server-made ids ({@code window_<uuid>}) to {@code window_%014x} of their placeholder, by
     * first appearance.
     */
    private String fromWireText(String text) {
      if (!text.contains("window_")) {
        return text;
      }
      Matcher m = SERVER_ID.matcher(text);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        Integer n = nByServerId.get(m.group());
        if (n == null) {
          n = ++maxPlaceholder;
          nByServerId.put(m.group(), n);
          serverIdByN.put(n, m.group());
        }
        m.appendReplacement(sb, CorpusNormalizer.concrete(n));
      }
      m.appendTail(sb);
      return sb.toString();
    }

    private JsonNode fromWire(JsonNode message) {
      String text = message.toString();
      String mapped = fromWireText(text);
      return mapped.equals(text) ? message : parse(mapped);
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * Removes vizrelay's envelope: {@code seq}, and {@code env} except where visdom has it ({@code
     * window_update}).
     */
    private static ObjectNode strip(JsonNode frame) {
      ObjectNode copy = ((ObjectNode) frame).deepCopy();
      copy.remove("seq");
      if (!"window_update".equals(command(copy))) {
        copy.remove("env");
      }
      return copy;
    }

    /**
     * Drops vizrelay's {@code task_status} frames: taskinfo's status changes (the task's
     * auto-registration by its first ingest), forwarded to the task's browsers out of band, at no
     * fixed point of the stream and without {@code seq}. They must name this task.
     */
    private List<JsonNode> taskFrames(String at, List<JsonNode> frames) {
      List<JsonNode> out = new ArrayList<>(frames.size());
      for (JsonNode f : frames) {
        if (isTaskStatus(f)) {
          assertEquals(
              taskId, f.path("task_id").asText(), at + "task_status of another task: " + f);
        } else {
          out.add(f);
        }
      }
      return out;
    }

    private static boolean isTaskStatus(JsonNode f) {
      return "task_status".equals(command(f));
    }

    private static boolean isLayoutOf(JsonNode f, String eid) {
      return "layout".equals(command(f)) && eid.equals(f.path("env").asText());
    }

    /**
     * Waits (bounded, on frame arrival, no sleeping) for a frame at index {@code >= from} matching
     * {@code p}.
     */
    private static int awaitFrame(Browser b, int from, Predicate<JsonNode> p, String what)
        throws InterruptedException {
      long deadline = System.currentTimeMillis() + WAIT_MS;
      while (true) {
        List<JsonNode> frames = b.frames();
        for (int i = from; i < frames.size(); i++) {
          if (p.test(frames.get(i))) {
            return i;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          fail(
              "no "
                  + what
                  + " within "
                  + WAIT_MS
                  + " ms; got "
                  + shorten(Json.NODES.arrayNode().addAll(frames)));
        }
        try {
          b.awaitCount(frames.size() + 1, left);
        } catch (AssertionError timeout) {
          // checked once more above, then reported
        }
      }
    }

    private static String command(JsonNode f) {
      return f.path("command").asText();
    }

    private static JsonNode envUpdate(JsonNode messages) {
      for (JsonNode m : messages) {
        if ("env_update".equals(command(m))) {
          return m.get("data");
        }
      }
      throw new AssertionError("no env_update in " + messages);
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
      return () -> it;
    }

    private static String shorten(JsonNode n) {
      String s = n.toString();
      return s.length() > 1500 ? s.substring(0, 1500) + "..." : s;
    }

    private static JsonNode parse(String text) {
      return Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
