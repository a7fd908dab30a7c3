package io.vizrelay.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.app.DemoJob;
import io.vizrelay.common.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The task view in a real headless Chromium: live curves of the demo job, a refresh (and a network
 * loss) mid-stream that shows every point exactly once, every plot type of the visdom corpus,
 * sanitised text, and the per-plot smoothing / log / CSV / JSON controls.
 */
class TaskViewIT {
  private static UiHarness ui;

  @BeforeAll
  static void start() throws Exception {
    ui = UiHarness.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (ui != null) {
      ui.close();
    }
  }

  @Test
  void demoCurvesRenderAndGrowIncrementally() throws Exception {
    String id = UiHarness.await(ui.vertx.deployVerticle(new DemoJob(ui.base(), DemoJob.TASK_ID)));
    try {
      ui.open("?task_id=" + DemoJob.TASK_ID);
      ui.waitLive(DemoJob.TASK_ID);
      int first =
          ui.waitFor(
              "loss has train and val with 3+ points",
              d -> {
                int train = ui.drawn("loss", "main", 0, "y").size();
                int val = ui.drawn("loss", "main", 1, "y").size();
                return train >= 3 && val >= 3 ? train : null;
              });
      ui.waitFor(
          "loss grows",
          Duration.ofSeconds(15),
          d -> ui.drawn("loss", "main", 0, "y").size() >= first + 4 ? true : null);
      ui.waitFor(
          "accuracy, log text and samples image drawn",
          d -> {
            List<Map<String, Object>> panes = ui.panes();
            Set<String> drawn = new LinkedHashSet<>();
            for (Map<String, Object> p : panes) {
              if (Boolean.TRUE.equals(p.get("rendered"))) {
                drawn.add((String) p.get("win"));
              }
            }
            return drawn.containsAll(List.of("loss", "accuracy", "log")) ? true : null;
          });
      // appends are drawn with extendTraces (how many points one redraw takes depends on the
      // page's redraw pace, so this waits for the third incremental draw)
      ui.waitFor(
          "appends drawn with extendTraces",
          Duration.ofSeconds(30),
          d -> ((Number) pane("main", "loss").get("extend")).longValue() >= 3 ? true : null);
      Map<String, Object> loss = pane("main", "loss");
      long full = ((Number) loss.get("full")).longValue();
      assertTrue(full <= 2, "the loss figure is not re-rendered per frame: " + loss);
      // x of the drawn curve is 1, 2, 3, ... without a hole or a repeat
      List<Double> x = ui.drawn("loss", "main", 0, "x");
      for (int i = 0; i < x.size(); i++) {
        assertEquals(i + 1.0, x.get(i), "train x at " + i);
      }
      String badge = ui.driver.findElement(By.id("conn")).getText();
      assertEquals("live", badge.trim());
      ui.screenshot("task-view-demo");
      ui.assertNoJsErrors();
    } finally {
      UiHarness.await(ui.vertx.undeploy(id));
    }
  }

  /**
   * Points are ingested at a steady pace while the page is refreshed (it comes back from its saved
   * view and resumes with since=), reopened without the saved view (snapshot), and loses its
   * connection (resumes with since=). At the end the figure holds exactly what was ingested.
   */
  @Test
  void refreshAndNetworkLossMidStreamShowEveryPointOnce() throws Exception {
    String task = "demo-refresh";
    int n = 260;
    List<Double> xs = new ArrayList<>();
    List<Double> ya = new ArrayList<>();
    List<Double> yb = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add((double) i);
      ya.add(1.0 + i * 0.25);
      yb.add(Math.round(1000 * Math.cos(i / 9.0)) / 1000.0);
    }
    ui.ingestPoint(task, "main", "metric", "a", xs.get(0), ya.get(0));
    ui.ingestPoint(task, "main", "metric", "b", xs.get(0), yb.get(0));
    ui.open("?task_id=" + task);
    ui.waitLive(task);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    // the job sends at its own pace, but only as many points as the test has allowed so far, so
    // that points are still to come at every step however slow the machine is
    Semaphore allowance = new Semaphore(80);
    Thread job =
        new Thread(
            () -> {
              try {
                for (int i = 1; i < n; i++) {
                  if (!allowance.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test stopped allowing points at " + i);
                  }
                  ui.ingestPoint(task, "main", "metric", "a", xs.get(i), ya.get(i));
                  ui.ingestPoint(task, "main", "metric", "b", xs.get(i), yb.get(i));
                  Thread.sleep(6); // the job's pace, not a synchronisation
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "ingest");
    job.start();
    try {
      // 1. refresh: the page shows its saved view at once and resumes with since=
      ui.waitFor(
          "saved view written and 40 points drawn",
          d -> {
            Map<String, Object> s = ui.state();
            return s.get("cacheSaved") != null && ui.drawn("metric", "main", 0, "y").size() >= 40
                ? true
                : null;
          });
      allowance.release(40); // points flowing while the page reloads
      ui.driver.navigate().refresh();
      ui.waitLive(task);
      Map<String, Object> afterRefresh = ui.state();
      assertEquals(
          Boolean.TRUE,
          ((Map<?, ?>) afterRefresh.get("cache")).get("restored"),
          "saved view restored: " + afterRefresh);
      Map<?, ?> sync = (Map<?, ?>) afterRefresh.get("lastSync");
      assertEquals("resume", sync.get("mode"), "a refresh resumes with since=: " + sync);
      assertEquals(Boolean.TRUE, sync.get("recovered"));
      ui.screenshot("refresh-resumed");

      // 2. reopen without the saved view: a snapshot
      int before = ui.drawn("metric", "main", 0, "y").size();
      allowance.release(40);
      ui.waitFor(
          "more points",
          d -> ui.drawn("metric", "main", 0, "y").size() >= before + 20 ? true : null);
      ui.open("?task_id=" + task + "&cache=0");
      ui.waitLive(task);
      Map<?, ?> snap = (Map<?, ?>) ui.state().get("lastSync");
      assertEquals("snapshot", snap.get("mode"));

      // 3. network loss: the page still holds its state and resumes with since=
      int mid = ui.drawn("metric", "main", 0, "y").size();
      allowance.release(40);
      ui.waitFor(
          "more points", d -> ui.drawn("metric", "main", 0, "y").size() >= mid + 20 ? true : null);
      allowance.release(n); // the rest, while the connection is lost and resumed
      ui.js("window.vizrelay.dropConnection();");
      ui.waitFor(
          "resumed after the connection loss",
          d -> {
            Map<String, Object> s = ui.state();
            Map<?, ?> st = (Map<?, ?>) s.get("stream");
            Map<?, ?> ls = (Map<?, ?>) s.get("lastSync");
            return st != null
                    && ((Number) st.get("resumes")).intValue() >= 1
                    && ls != null
                    && "resume".equals(ls.get("mode"))
                    && Boolean.TRUE.equals(ls.get("recovered"))
                ? true
                : null;
          });
    } finally {
      allowance.release(n);
      job.join(60_000);
    }
    if (failure.get() != null) {
      throw new AssertionError("ingest failed", failure.get());
    }
    ui.waitFor(
        "all " + n + " points of both traces drawn",
        Duration.ofSeconds(30),
        d ->
            ui.drawn("metric", "main", 0, "y").size() >= n
                    && ui.drawn("metric", "main", 1, "y").size() >= n
                ? true
                : null);
    Map<String, Object> fig = ui.figure("metric", "main");
    assertEquals(2, ((List<?>) fig.get("traces")).size(), "two traces: " + fig.keySet());
    assertEquals(
        xs, ui.drawn("metric", "main", 0, "x"), "trace a: x, every point once and in order");
    assertEquals(ya, ui.drawn("metric", "main", 0, "y"), "trace a: y");
    assertEquals(xs, ui.drawn("metric", "main", 1, "x"), "trace b: x");
    assertEquals(yb, ui.drawn("metric", "main", 1, "y"), "trace b: y");
    // what the page holds is what the server holds
    JsonNode server =
        ui.post(
                "/win_data",
                Json.object().put("task_id", task).put("win", "metric").put("eid", "main"))
            .json();
    assertEquals(
        n, server.path("content").path("data").path(0).path("y").size(), "server holds n points");
    ui.screenshot("refresh-final");
    ui.assertNoJsErrors();
  }

  /**
   * Replays every plot type of the visdom corpus (plus surface and mesh) and checks each is drawn.
   */
  @Test
  void everyPlotTypeOfTheCorpusIsDrawn() throws Exception {
    String task = "demo-corpus";
    List<String> scenarios =
        List.of(
            "line_create_append",
            "line_named_traces",
            "scatter",
            "bar",
            "histogram",
            "boxplot",
            "stem",
            "contour",
            "quiver",
            "pie",
            "heatmap_rows",
            "plotlyplot",
            "text_create_append",
            "image",
            "properties",
            "batch_append_1000");
    for (String scenario : scenarios) {
      replay(task, scenario);
    }
    ObjectNode surface =
        Json.object().put("task_id", task).put("win", "surface").put("eid", "threed");
    ArrayNode z =
        surface
            .putArray("data")
            .addObject()
            .put("type", "surface")
            .put("colorscale", "Viridis")
            .putArray("z");
    for (int r = 0; r < 12; r++) {
      ArrayNode row = z.addArray();
      for (int c = 0; c < 12; c++) {
        row.add(Math.sin(r / 3.0) * Math.cos(c / 3.0));
      }
    }
    surface.putObject("layout").put("title", "surface");
    surface.putObject("opts").put("title", "surface");
    assertEquals(200, ui.post("/events", surface).status());
    ObjectNode mesh = Json.object().put("task_id", task).put("win", "mesh").put("eid", "threed");
    ObjectNode m = mesh.putArray("data").addObject().put("type", "mesh3d").put("opacity", 0.6);
    m.putArray("x").add(0).add(1).add(2).add(0);
    m.putArray("y").add(0).add(0).add(1).add(2);
    m.putArray("z").add(0).add(2).add(0).add(1);
    m.putArray("i").add(0).add(0).add(0).add(1);
    m.putArray("j").add(1).add(2).add(3).add(2);
    m.putArray("k").add(2).add(3).add(1).add(3);
    mesh.putObject("layout").put("title", "mesh");
    mesh.putObject("opts").put("title", "mesh");
    assertEquals(200, ui.post("/events", mesh).status());
    ui.ingestText(
        task,
        "main",
        "unsafe",
        "<b>bold</b><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
            + "<a href=\"javascript:window.__pwned=3\">link</a><iframe src=\"/\"></iframe>");

    ui.open("?task_id=" + task);
    ui.waitLive(task);
    @SuppressWarnings("unchecked")
    List<String> envs = (List<String>) ui.state().get("envs");
    assertTrue(
        envs.containsAll(List.of("scatter", "bar", "heatmap_rows", "threed", "pie")),
        "envs: " + envs);
    Set<String> types = new LinkedHashSet<>();
    for (String env : envs) {
      ui.js(
          "const b = document.querySelector('#env-tabs [data-env=\"' + arguments[0] + '\"]'); if (b) b.click();",
          env);
      List<Map<String, Object>> panes =
          ui.waitFor(
              "env " + env + " drawn",
              d -> {
                if (!env.equals(ui.state().get("activeEnv"))) {
                  return null;
                }
                List<Map<String, Object>> ps =
                    ui.panes().stream().filter(p -> env.equals(p.get("env"))).toList();
                return ps.stream()
                        .allMatch(
                            p -> Boolean.TRUE.equals(p.get("rendered")) || p.get("error") != null)
                    ? ps
                    : null;
              });
      for (Map<String, Object> p : panes) {
        assertNull(
            p.get("error"), "window " + env + "/" + p.get("win") + " drawn without error: " + p);
        if ("plot".equals(p.get("type"))) {
          Object drawnTypes =
              ui.js(
                  "const d = document.querySelector('.pane[data-env=\"' + arguments[0] + '\"][data-win=\"'"
                      + " + arguments[1] + '\"] .plot'); return d && d._fullData ? d._fullData.map(t => t.type) : null;",
                  env,
                  p.get("win"));
          assertNotNull(drawnTypes, "Plotly drew " + env + "/" + p.get("win"));
          assertFalse(
              ((List<?>) drawnTypes).isEmpty() && !"line_update_remove".equals(env),
              "traces of " + p.get("win"));
          for (Object t : (List<?>) drawnTypes) {
            types.add((String) t);
          }
        } else {
          types.add((String) p.get("type"));
        }
      }
      ui.screenshot("corpus-" + env);
    }
    assertTrue(
        types.containsAll(
            List.of(
                "scatter",
                "scatter3d",
                "bar",
                "box",
                "heatmap",
                "contour",
                "surface",
                "pie",
                "mesh3d",
                "text",
                "image",
                "image_history",
                "properties")),
        "drawn types: " + types);
    // text is sanitised: markup kept, scripts and handlers gone
    ui.js("document.querySelector('#env-tabs [data-env=\"main\"]').click();");
    ui.waitFor(
        "sanitised text drawn",
        d ->
            Boolean.TRUE.equals(
                    ui.js(
                        "const b = document.querySelector('.pane[data-win=\"unsafe\"] .text-window b'); return !!b && b.textContent === 'bold';"))
                ? true
                : null);
    assertNull(
        ui.js("return window.__pwned === undefined ? null : window.__pwned;"), "no script ran");
    assertEquals(
        0L,
        ui.js(
            "return document.querySelectorAll('.pane[data-win=\"unsafe\"] script, .pane[data-win=\"unsafe\"] iframe,"
                + " .pane[data-win=\"unsafe\"] [onerror], .pane[data-win=\"unsafe\"] a[href^=\"javascript\"]').length;"));
    ui.assertNoJsErrors();
  }

  /**
   * Smoothing (TensorBoard's debiased EMA, also on live appends), log scale, CSV and JSON download.
   */
  @Test
  void perPlotSmoothingLogScaleAndDownloads() throws Exception {
    String task = "demo-controls";
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      y.add(10.0 + (i % 5) * 3.0 + i);
      ui.ingestPoint(task, "main", "curve", "train", i, y.get(i));
    }
    ui.open("?task_id=" + task);
    ui.waitLive(task);
    ui.waitFor("curve drawn", d -> ui.drawn("curve", "main", 0, "y").size() == 30 ? true : null);
    ui.js(
        "const r = document.getElementById('g-smooth'); r.value = '0.6'; r.dispatchEvent(new Event('input'));");
    ui.waitFor("smoothed overlay drawn", d -> smoothed("curve").size() == 30 ? true : null);
    assertEquals(y, ui.drawn("curve", "main", 0, "y"), "the raw points stay as they are");
    assertClose(ema(y, 0.6), smoothed("curve"));
    // live appends extend the smoothed overlay incrementally with the same result
    for (int i = 30; i < 40; i++) {
      y.add(5.0 + i * 0.5);
      ui.ingestPoint(task, "main", "curve", "train", i, y.get(i));
    }
    ui.waitFor("40 smoothed points", d -> smoothed("curve").size() == 40 ? true : null);
    assertClose(ema(y, 0.6), smoothed("curve"));
    // log scale
    ui.click(By.cssSelector(".pane[data-win=\"curve\"] .log-toggle"));
    ui.waitFor(
        "log y axis", d -> "log".equals(ui.figure("curve", "main").get("yaxis")) ? true : null);
    ui.screenshot("controls-smoothed-log");
    // both settle across a refresh
    ui.driver.navigate().refresh();
    ui.waitLive(task);
    ui.waitFor(
        "settings kept after refresh",
        d ->
            "log".equals(ui.figure("curve", "main").get("yaxis")) && smoothed("curve").size() == 40
                ? true
                : null);
    // downloads: capture the blobs the page hands to the browser
    ui.js(
        "window.__blobs = []; const o = URL.createObjectURL; URL.createObjectURL = b => { window.__blobs.push(b); return o.call(URL, b); };");
    ui.click(By.cssSelector(".pane[data-win=\"curve\"] .dl-csv"));
    ui.click(By.cssSelector(".pane[data-win=\"curve\"] .dl-json"));
    String csv = blob(0);
    String[] lines = csv.trim().split("\n");
    assertEquals("trace,index,x,y,z", lines[0]);
    assertEquals(41, lines.length, "header + one row per point");
    assertEquals("train,0,0,10,", lines[1]);
    JsonNode json = Json.parseTrusted(blob(1).getBytes(StandardCharsets.UTF_8));
    assertEquals(40, json.path("data").path(0).path("y").size());
    assertEquals("curve", json.path("win").asText());
    ui.assertNoJsErrors();
  }

  private static String blob(int i) {
    Object text =
        ((org.openqa.selenium.JavascriptExecutor) ui.driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1]; window.__blobs[arguments[0]].text().then(done);",
                i);
    return (String) text;
  }

  @SuppressWarnings("unchecked")
  private static List<Double> smoothed(String win) {
    Map<String, Object> fig = ui.figure(win, "main");
    if (fig == null
        || !(fig.get("smoothed") instanceof List<?> s)
        || s.isEmpty()
        || s.get(0) == null) {
      return List.of();
    }
    return UiHarness.numbers((List<Object>) s.get(0));
  }

  /** TensorBoard's smoothing. */
  private static List<Double> ema(List<Double> ys, double w) {
    List<Double> out = new ArrayList<>();
    double last = 0;
    int n = 0;
    for (double y : ys) {
      last = last * w + (1 - w) * y;
      n++;
      out.add(last / (1 - Math.pow(w, n)));
    }
    return out;
  }

  private static void assertClose(List<Double> expected, List<Double> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.get(i), 1e-9, "smoothed value " + i);
    }
  }

  private static Map<String, Object> pane(String env, String win) {
    return ui.panes().stream()
        .filter(p -> env.equals(p.get("env")) && win.equals(p.get("win")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no pane " + env + "/" + win + " in " + ui.panes()));
  }

  /** Posts a corpus scenario's requests (real visdom client bodies) with the task id added. */
  private static void replay(String task, String scenario) throws Exception {
    String resource = "visdom-corpus/" + scenario + ".jsonl";
    InputStream in = TaskViewIT.class.getClassLoader().getResourceAsStream(resource);
    assertNotNull(in, "corpus file " + resource);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode step = Json.parseTrusted(line.getBytes(StandardCharsets.UTF_8));
        JsonNode req = step.path("request");
        if (!req.isObject()
            || !"POST".equals(req.path("method").asText())
            || !req.path("body").isObject()) {
          continue;
        }
        ObjectNode body = ((ObjectNode) req.get("body")).deepCopy().put("task_id", task);
        ui.post(req.path("path").asText(), body);
      }
    }
  }
}
