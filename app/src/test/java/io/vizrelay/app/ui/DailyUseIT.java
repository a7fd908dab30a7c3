package io.vizrelay.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The page for daily use (issue 21): a phone-width layout, forty live panes (frame rate, long tasks
 * and open time measured in Chromium and printed), pane arrangement, the view controls, finding
 * tasks and panes, honest states, and axe-core on the list, a task and the dark theme.
 */
class DailyUseIT {
  /**
   * Where the page's screenshots for the docs are written (copied to docs/ by hand when they
   * change).
   */
  static final Path DOC_SHOTS = UiHarness.SCREENSHOTS.resolve("docs");

  private static UiHarness ui;
  private static final AtomicBoolean running = new AtomicBoolean(true);
  private static Thread job;

  @BeforeAll
  static void start() throws Exception {
    ui = UiHarness.start(Map.of("VIZRELAY_LOST_AFTER_SECONDS", "3"));
    Assumptions.assumeTrue(ui.get("/api/tasks").status() == 200, "the task registry is mounted");
    // a running task kept alive by its "job" (the others go lost after 3 s)
    line("demo-live", "loss", "loss", 40, -1);
    line("demo-live", "accuracy", "accuracy", 40, -1);
    ui.ingestText("demo-live", "main", "log", "<b>epoch 3</b> done");
    job =
        new Thread(
            () -> {
              int i = 40;
              while (running.get()) {
                try {
                  ui.ingestPoint("demo-live", "main", "loss", "loss", i, 1.0 / (i + 1));
                  i++;
                  Thread.sleep(500); // the job's pace
                } catch (InterruptedException e) {
                  return;
                } catch (Throwable t) {
                  // the server may be going away at the end of the class
                }
              }
            },
            "demo-live-job");
    job.setDaemon(true);
    job.start();
  }

  @AfterAll
  static void stop() throws Exception {
    running.set(false);
    if (job != null) {
      job.join(5000);
    }
    if (ui != null) {
      ui.close();
    }
  }

  @AfterEach
  void desktop() {
    if (ui != null) {
      ui.desktopViewport();
      ui.colorScheme("");
    }
  }

  // ---------------------------------------------------------------- 1. phones

  @Test
  void atPhoneWidthNothingIsWiderThanTheScreenAndTheListIsADrawer() throws Exception {
    ui.viewport(390, 844, true);
    ui.open("?task_id=demo-live");
    ui.waitLive("demo-live");
    WebElement stop =
        ui.waitFor(
            "Stop enabled",
            d -> {
              WebElement b = d.findElement(By.id("stop-btn"));
              return b.isDisplayed() && b.isEnabled() ? b : null;
            });
    ui.waitFor(
        "panes drawn",
        d ->
            grid().stream().filter(p -> Boolean.TRUE.equals(p.get("rendered"))).count() >= 2
                ? true
                : null);
    Map<String, Object> widths =
        map(
            ui.js(
                "return { doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                    + " vw: window.innerWidth, pane: Math.max(...Array.from(document.querySelectorAll('.pane')).map(p => p.getBoundingClientRect().right)) };"));
    System.out.println("phone 390 px: " + widths);
    assertEquals(390L, num(widths.get("vw")));
    assertTrue(num(widths.get("doc")) <= 390, "the page is no wider than the screen: " + widths);
    assertTrue(num(widths.get("body")) <= 390, "the body is no wider than the screen: " + widths);
    assertTrue(num(widths.get("pane")) <= 390, "panes fit: " + widths);
    assertOnScreen(stop, "Stop button");
    // the task list is a drawer: closed, then opened by the button, then closed by opening a task
    assertEquals(
        "hidden", ui.js("return getComputedStyle(document.getElementById('side')).visibility;"));
    ui.screenshot("phone-task");
    copyToDocs("phone-task", "screenshot-phone.png");
    ui.click(By.id("side-toggle"));
    ui.waitFor(
        "drawer open",
        d ->
            "visible"
                    .equals(
                        ui.js(
                            "return getComputedStyle(document.getElementById('side')).visibility;"))
                ? true
                : null);
    // listed and shown (the drawer is open)
    ui.waitFor(
        "task listed in the drawer",
        d -> {
          List<WebElement> l =
              d.findElements(By.cssSelector("#task-list a.task[data-task='demo-live']"));
          return l.isEmpty() || !l.get(0).isDisplayed() ? null : l.get(0);
        });
    ui.waitFor(
        "drawer slid in",
        d ->
            num(ui.js("return document.getElementById('side').getBoundingClientRect().left;")) >= 0
                ? true
                : null);
    // by selector: the list may re-render (its "seen 3s ago" changes) between two calls
    assertOnScreen("#task-list a.task[data-task='demo-live']", "task in the drawer");
    assertEquals("true", ui.driver.findElement(By.id("side-toggle")).getAttribute("aria-expanded"));
    ui.screenshot("phone-drawer");
    copyToDocs("phone-drawer", "screenshot-phone-drawer.png");
    ui.click(
        By.cssSelector(
            "#task-list a.task[data-task='demo-live']")); // the list may have re-rendered
    ui.waitFor(
        "drawer closed",
        d ->
            "false".equals(d.findElement(By.id("side-toggle")).getAttribute("aria-expanded"))
                ? true
                : null);
    // the Stop dialog's button is on screen too
    ui.click(By.id("stop-btn"));
    ui.waitFor(
        "confirmation", d -> d.findElement(By.id("confirm-stop")).isDisplayed() ? true : null);
    assertOnScreen(ui.driver.findElement(By.id("confirm-ok")), "the dialog's Stop button");
    assertOnScreen(ui.driver.findElement(By.id("confirm-cancel")), "the dialog's Cancel button");
    ui.driver.findElement(By.id("confirm-cancel")).click();
    ui.waitFor(
        "dialog closed", d -> !d.findElement(By.id("confirm-stop")).isDisplayed() ? true : null);
    assertTrue(num(ui.js("return document.documentElement.scrollWidth;")) <= 390);
    ui.assertNoJsErrors();
  }

  // ---------------------------------------------------------------- 2. forty panes

  /**
   * The issue's acceptance figures, measured in Chromium and printed: a 40-pane task opens in under
   * 1.5 s; with 40 panes at 4 appends/s each the page keeps 30 frames/s and has no main-thread task
   * over 100 ms. Off-screen panes are not drawn; scrolled in, they catch up.
   */
  @Test
  void fortyLivePanesKeepTheFrameRate() throws Exception {
    String task = "demo-forty";
    int panes = 40;
    for (int w = 0; w < panes; w++) {
      line(task, "w" + w, "metric " + w, 200, -1);
    }
    ui.open("?task_id=" + task + "&cache=0");
    ui.waitLive(task);
    Map<String, Object> opened =
        ui.waitFor(
            "40 panes open",
            d -> {
              Map<String, Object> s = ui.state();
              return num(s.get("windows")) == panes && s.get("openedMs") != null ? s : null;
            });
    long coldMs = num(opened.get("openedMs"));
    System.out.println(
        "40-pane task, cold page load (Plotly parsed, socket, snapshot, panes in view drawn): "
            + coldMs
            + " ms; phases "
            + opened.get("phases")
            + ", Plotly ready at "
            + opened.get("plotlyAt")
            + " ms");
    ui.waitFor(
        "every pane drawn once (off-screen ones in idle time)",
        Duration.ofSeconds(30),
        d -> grid().stream().allMatch(p -> Boolean.TRUE.equals(p.get("rendered"))) ? true : null);
    // opening it from the task list (the page is there, as in daily use): the issue's open time
    ui.click(By.cssSelector("#task-list a.task[data-task='demo-live']"));
    ui.waitLive("demo-live");
    ui.click(By.cssSelector("#task-list a.task[data-task='" + task + "']"));
    ui.waitLive(task);
    Map<String, Object> reopened =
        ui.waitFor(
            "40 panes open again",
            d -> {
              Map<String, Object> s = ui.state();
              return task.equals(s.get("task"))
                      && num(s.get("windows")) == panes
                      && s.get("openedMs") != null
                  ? s
                  : null;
            });
    long openMs = num(reopened.get("openedMs"));
    System.out.println(
        "40-pane task opened from the list: " + openMs + " ms; phases " + reopened.get("phases"));
    ui.waitFor(
        "every pane drawn once again",
        Duration.ofSeconds(30),
        d ->
            grid().size() == panes
                    && grid().stream().allMatch(p -> Boolean.TRUE.equals(p.get("rendered")))
                ? true
                : null);
    List<Map<String, Object>> before = grid();
    int offscreen = -1;
    for (int k = before.size() - 1; k >= 0; k--) {
      if (!Boolean.TRUE.equals(before.get(k).get("visible"))) {
        offscreen = k;
        break;
      }
    }
    assertTrue(offscreen > 0, "some panes are off-screen at 1440x900: " + before);
    String offWin = (String) before.get(offscreen).get("win");

    // the training jobs: HTTP/1.1 as visdom's Python client sends it
    HttpClient jobs =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    int[] step = new int[panes];
    for (int w = 0; w < panes; w++) {
      step[w] = 200;
    }
    AtomicInteger next = new AtomicInteger();
    long applied0 = num(ui.state().get("framesApplied"));
    // 40 panes x 4 appends/s = 160 appends/s: 4 appends every 25 ms, round robin over the panes
    feeder.scheduleAtFixedRate(
        () -> {
          for (int k = 0; k < 4; k++) {
            int w = next.getAndIncrement() % panes;
            int x = step[w]++;
            String body =
                UiHarness.appendPoint(
                        task, "main", "w" + w, "metric " + w, x, Math.sin(x / 10.0) + w)
                    .toString();
            jobs.sendAsync(
                    HttpRequest.newBuilder(URI.create(ui.base() + "/update"))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .whenComplete(
                    (r, e) -> {
                      if (e != null || r.statusCode() != 200) {
                        failed.incrementAndGet();
                      } else {
                        sent.incrementAndGet();
                      }
                    });
          }
        },
        0,
        25,
        TimeUnit.MILLISECONDS);
    Map<String, Object> m;
    try {
      // steady state first: the jobs' connections are open, the server's append path is compiled,
      // and the page has applied 3 s of load (its redraw pace has settled); then 10 s are measured
      ui.waitFor(
          "3 s of appends applied by the page",
          Duration.ofSeconds(60),
          d -> num(ui.state().get("framesApplied")) - applied0 >= 3 * 160 ? true : null);
      m = measureFrames(offWin, 10_000);
    } finally {
      feeder.shutdownNow();
      feeder.awaitTermination(5, TimeUnit.SECONDS);
    }
    double fps = ((Number) m.get("fps")).doubleValue();
    double longest = ((Number) m.get("longest")).doubleValue();
    double seconds = ((Number) m.get("ms")).doubleValue() / 1000;
    System.out.printf(
        "40 panes, 160 appends/s, measured for %.1f s after 3 s of load: %.1f frames/s, %d long tasks"
            + " (longest %.0f ms), %d frames applied, %d draws of the %d visible panes (%.0f ms"
            + " drawing per s); pace %s, redraw every %d ms; open %d ms from the list, %d ms cold;"
            + " appends sent %d, failed %d%n",
        seconds,
        fps,
        num(m.get("longCount")),
        longest,
        num(m.get("applied")),
        num(m.get("drawsVisible")),
        num(m.get("inView")),
        ((Number) m.get("drawMsPerS")).doubleValue(),
        m.get("pace"),
        num(m.get("redrawMs")),
        openMs,
        coldMs,
        sent.get(),
        failed.get());
    assertTrue(num(m.get("applied")) >= 80 * seconds, "the load really reached the page: " + m);
    assertTrue(num(m.get("drawsVisible")) > 0, "visible panes were drawn live: " + m);
    assertEquals(
        num(m.get("off0")),
        num(m.get("off")),
        "the off-screen pane " + offWin + " was not redrawn: " + m);
    assertTrue(
        openMs < 1500, "a 40-pane task opens from the list in under 1.5 s: " + openMs + " ms");
    assertTrue(fps >= 30, "at least 30 frames/s with 40 live panes: " + m);
    assertTrue(longest <= 100, "no main-thread task over 100 ms: " + m);
    assertEquals(0, failed.get(), "every append was accepted");
    // scrolled into view, the off-screen pane catches up with every point it missed
    ui.js(
        "document.querySelector('.pane[data-win=\"' + arguments[0] + '\"]').scrollIntoView();",
        offWin);
    int expected = step[Integer.parseInt(offWin.substring(1))];
    ui.waitFor(
        offWin + " drawn up to date",
        d -> ui.drawn(offWin, "main", 0, "y").size() == expected ? true : null);
    ui.assertNoJsErrors();
  }

  /**
   * Counts animation frames and main-thread long tasks (PerformanceObserver) in the page for {@code
   * spanMs}, with what the page drew meanwhile; {@code offWin} is an off-screen pane whose draw
   * count is reported before and after.
   */
  static Map<String, Object> measureFrames(String offWin, int spanMs) {
    return map(
        ((org.openqa.selenium.JavascriptExecutor) ui.driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "const off = arguments[0]; const span = arguments[1]; let frames = 0, longest = 0, longCount = 0;"
                    + "const po = new PerformanceObserver(l => { for (const e of l.getEntries()) { longCount++; longest = Math.max(longest, e.duration); } });"
                    + "po.observe({ type: 'longtask' });"
                    + "const s0 = window.vizrelay.state(); const g0 = window.vizrelay.grid();"
                    + "const t0 = performance.now(); const f0 = s0.flushMs;"
                    + "function tick() { frames++; const t = performance.now() - t0;"
                    + "  if (t < span) { requestAnimationFrame(tick); return; }"
                    + "  po.disconnect(); const s1 = window.vizrelay.state(); const g1 = window.vizrelay.grid();"
                    + "  const ext = g => g.reduce((n, p) => n + p.extend + p.full, 0);"
                    + "  done({ ms: t, frames, fps: frames * 1000 / t, longCount, longest, applied: s1.framesApplied - s0.framesApplied,"
                    + "    drawsVisible: ext(g1.filter(p => p.visible)) - ext(g0.filter(p => g1.find(q => q.win === p.win && q.visible))),"
                    + "    drawMsPerS: (s1.flushMs - f0) * 1000 / t, pace: JSON.stringify(s1.pace), redrawMs: s1.redrawMs,"
                    + "    inView: g1.filter(p => p.visible).length,"
                    + "    off: g1.filter(p => p.win === off).map(p => p.extend + p.full)[0],"
                    + "    off0: g0.filter(p => p.win === off).map(p => p.extend + p.full)[0] }); }"
                    + "requestAnimationFrame(tick);",
                offWin,
                spanMs));
  }

  // ---------------------------------------------------------------- 3. arranging panes

  @Test
  void panesAreArrangedAndTheArrangementIsKept() {
    String task = "demo-arrange";
    for (String w : List.of("a", "b", "c", "d")) {
      line(task, w, "pane " + w, 20, -1);
    }
    ui.open("?task_id=" + task);
    ui.waitLive(task);
    ui.waitFor(
        "4 panes drawn",
        d ->
            grid().size() == 4
                    && grid().stream().allMatch(p -> Boolean.TRUE.equals(p.get("rendered")))
                ? true
                : null);
    assertEquals(List.of("a", "b", "c", "d"), order());
    // keyboard: the handle moves its pane with the arrow keys
    ui.driver.findElement(By.cssSelector(".pane[data-win='a'] .handle")).sendKeys(Keys.ARROW_RIGHT);
    ui.waitFor("a moved after b", d -> List.of("b", "a", "c", "d").equals(order()) ? true : null);
    // drag and drop by the handle: d dropped on the left half of b
    ui.js(
        "const src = document.querySelector('.pane[data-win=\"d\"] .handle');"
            + "const dst = document.querySelector('.pane[data-win=\"b\"]');"
            + "const r = dst.getBoundingClientRect(); const dt = new DataTransfer();"
            + "const ev = (t, el) => el.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt, clientX: r.left + 5, clientY: r.top + 20 }));"
            + "ev('dragstart', src); ev('dragover', dst); ev('drop', dst); ev('dragend', src);");
    ui.waitFor(
        "d dropped before b", d -> List.of("d", "b", "a", "c").equals(order()) ? true : null);
    ui.click(By.cssSelector(".pane[data-win='c'] .collapse"));
    ui.click(By.cssSelector(".pane[data-win='b'] .widen"));
    ui.js(
        "document.querySelector('.pane[data-win=\"a\"]').style.height = '480px';"); // what dragging
    // the resize
    // corner does
    ui.waitFor(
        "collapsed, wide, resized",
        d -> {
          Map<String, Map<String, Object>> g = byWin();
          return Boolean.TRUE.equals(g.get("c").get("collapsed"))
                  && Boolean.TRUE.equals(g.get("b").get("wide"))
                  && num(g.get("a").get("height")) == 480
                  && num(g.get("c").get("height")) < 60
              ? true
              : null;
        });
    ui.waitFor(
        "the height is kept",
        d ->
            String.valueOf(ui.js("return localStorage.getItem('vz.layout:demo-arrange|main');"))
                    .contains("480")
                ? true
                : null);
    // maximise: the pane fills the window; Esc restores it
    ui.click(By.cssSelector(".pane[data-win='d'] .maximize"));
    ui.waitFor("d maximised", d -> "d".equals(ui.state().get("maxed")) ? true : null);
    long maxW =
        num(
            ui.js(
                "return document.querySelector('.pane[data-win=\"d\"]').getBoundingClientRect().width;"));
    assertTrue(maxW > 1300, "a maximised pane fills the window: " + maxW);
    ui.screenshot("arranged-maximised");
    ui.driver.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
    ui.waitFor("restored", d -> ui.state().get("maxed") == null ? true : null);
    // kept per task across a reload
    ui.driver.navigate().refresh();
    ui.waitLive(task);
    ui.waitFor(
        "arrangement restored",
        d -> {
          Map<String, Map<String, Object>> g = byWin();
          return g.size() == 4
                  && List.of("d", "b", "a", "c").equals(order())
                  && Boolean.TRUE.equals(g.get("c").get("collapsed"))
                  && Boolean.TRUE.equals(g.get("b").get("wide"))
                  && num(g.get("a").get("height")) == 480
              ? true
              : null;
        });
    ui.screenshot("arranged");
    ui.assertNoJsErrors();
  }

  /**
   * visdom's own pane layout (layout_item_update from a visdom browser) orders and sizes the panes.
   */
  @Test
  void visdomsLayoutMessagesAreHonoured() throws Exception {
    String task = "demo-vlayout";
    for (String w : List.of("x", "y", "z")) {
      line(task, w, "pane " + w, 10, -1);
    }
    ui.open("?task_id=" + task);
    ui.waitLive(task);
    ui.waitFor("3 panes", d -> grid().size() == 3 ? true : null);
    assertEquals(List.of("x", "y", "z"), order());
    CompletableFuture<WebSocket> wsf =
        ui.http
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(ui.base().replace("http", "ws") + "/socket?task_id=" + task),
                new WebSocket.Listener() {});
    WebSocket ws = wsf.get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(
              "{\"cmd\":\"layout_item_update\",\"eid\":\"main\",\"win\":\"z\",\"data\":{\"x\":0,\"y\":0,\"w\":100,\"h\":40}}",
              true)
          .get(5, TimeUnit.SECONDS);
      ws.sendText(
              "{\"cmd\":\"layout_item_update\",\"eid\":\"main\",\"win\":\"x\",\"data\":{\"x\":0,\"y\":50,\"w\":30,\"h\":30}}",
              true)
          .get(5, TimeUnit.SECONDS);
      ws.sendText(
              "{\"cmd\":\"layout_item_update\",\"eid\":\"main\",\"win\":\"y\",\"data\":{\"x\":40,\"y\":50,\"w\":30,\"h\":30}}",
              true)
          .get(5, TimeUnit.SECONDS);
    } finally {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
    ui.waitFor(
        "z first, double width, 400 px",
        d -> {
          Map<String, Map<String, Object>> g = byWin();
          return List.of("z", "x", "y").equals(order())
                  && Boolean.TRUE.equals(g.get("z").get("wide"))
                  && num(g.get("z").get("height")) == 400
              ? true
              : null;
        });
    // a fresh page gets the same layout from the snapshot's reload frame
    ui.driver.navigate().refresh();
    ui.waitLive(task);
    ui.waitFor(
        "layout from the snapshot", d -> List.of("z", "x", "y").equals(order()) ? true : null);
  }

  // ---------------------------------------------------------------- 4. view controls

  @Test
  void theViewControlsApplyToEveryPlot() {
    String task = "demo-view";
    line(task, "curve", "curve", 100, 50);
    line(task, "other", "other", 100, -1);
    ui.open("?task_id=" + task);
    ui.waitLive(task);
    ui.waitFor(
        "both drawn",
        d ->
            ui.drawn("curve", "main", 0, "y").size() == 100
                    && ui.drawn("other", "main", 0, "y").size() == 100
                ? true
                : null);
    assertEquals(
        "x unified",
        ui.figure("curve", "main").get("hovermode"),
        "hover shows every line at that x");
    ui.js(
        "const r = document.getElementById('g-smooth'); r.value = '0.6'; r.dispatchEvent(new Event('input'));");
    for (String w : List.of("curve", "other")) {
      ui.waitFor(
          w + " smoothed",
          d -> {
            Object s = ui.figure(w, "main").get("smoothed");
            return s instanceof List<?> l && l.get(0) instanceof List<?> y && y.size() == 100
                ? true
                : null;
          });
      assertEquals(
          List.of(w + " (raw)", w + " (smoothed)"),
          ui.figure(w, "main").get("names"),
          "raw and smoothed both named");
    }
    // ignore outliers: the spike of 1000 is outside the y range
    ui.click(By.id("g-clip"));
    ui.waitFor(
        "clipped range", d -> ui.figure("curve", "main").get("yrange") != null ? true : null);
    @SuppressWarnings("unchecked")
    List<Double> range =
        UiHarness.numbers((List<Object>) list(ui.figure("curve", "main").get("yrange")));
    assertTrue(range.get(1) < 100, "the outlier is left out of the range: " + range);
    ui.click(By.id("g-clip"));
    ui.waitFor(
        "autorange again", d -> ui.figure("curve", "main").get("yrange") == null ? true : null);
    ui.click(By.id("g-log"));
    ui.waitFor(
        "log y everywhere",
        d ->
            "log".equals(ui.figure("curve", "main").get("yaxis"))
                    && "log".equals(ui.figure("other", "main").get("yaxis"))
                ? true
                : null);
    // x axis: relative time (seconds) and wall time (dates)
    ui.js(
        "const s = document.getElementById('g-xaxis'); s.value = 'relative'; s.dispatchEvent(new Event('change'));");
    ui.waitFor(
        "relative time",
        d ->
            "linear".equals(ui.figure("curve", "main").get("xaxis")) && notSteps("curve")
                ? true
                : null);
    List<Double> rel = ui.drawn("curve", "main", 0, "x");
    for (int i = 1; i < rel.size(); i++) {
      assertTrue(rel.get(i) >= rel.get(i - 1), "relative time never goes back: " + rel);
    }
    assertTrue(
        rel.get(0) >= 0 && rel.get(rel.size() - 1) < 600, "seconds since the task started: " + rel);
    ui.js(
        "const s = document.getElementById('g-xaxis'); s.value = 'wall'; s.dispatchEvent(new Event('change'));");
    ui.waitFor(
        "wall time", d -> "date".equals(ui.figure("curve", "main").get("xaxis")) ? true : null);
    ui.ingestPoint(task, "main", "curve", "curve", 100, 3);
    ui.waitFor(
        "a live point at its arrival time",
        d -> {
          Map<String, Object> t = firstTrace("curve");
          List<?> x = (List<?>) t.get("x");
          return x.size() == 101 && String.valueOf(x.get(100)).matches("\\d{4}-\\d\\d-\\d\\d.*")
              ? true
              : null;
        });
    ui.screenshot("view-controls");
    // kept for the task across a reload
    ui.driver.navigate().refresh();
    ui.waitLive(task);
    ui.waitFor(
        "settings kept",
        d ->
            "date".equals(ui.figure("curve", "main").get("xaxis"))
                    && "log".equals(ui.figure("curve", "main").get("yaxis"))
                ? true
                : null);
    ui.js("localStorage.removeItem('vz.view:demo-view');");
    ui.assertNoJsErrors();
  }

  // ---------------------------------------------------------------- 5. finding tasks and panes

  @Test
  void tasksAreSearchedGroupedAndPinnedAndPanesFiltered() {
    line("demo-alpha", "train_loss", "train_loss", 5, -1);
    line("demo-alpha", "val_loss", "val_loss", 5, -1);
    line("demo-alpha", "accuracy", "accuracy", 5, -1);
    line("demo-beta", "loss", "loss", 5, -1);
    // a task whose project is not in its id: found by its project
    UiHarness.Response reg =
        ui.post("/api/tasks", "{\"task_id\":\"demo-gamma\",\"project_id\":\"vision\"}");
    assertTrue(reg.status() == 200 || reg.status() == 201, reg.body());
    ui.open("?task_id=demo-alpha");
    ui.waitLive("demo-alpha");
    ui.waitFor(
        "both listed",
        d -> ui.listedTasks().containsAll(List.of("demo-alpha", "demo-beta")) ? true : null);
    ui.driver.findElement(By.id("task-search")).sendKeys("beta");
    ui.waitFor("search by id", d -> List.of("demo-beta").equals(ui.listedTasks()) ? true : null);
    ui.js(
        "const s = document.getElementById('task-search'); s.value = 'VISI'; s.dispatchEvent(new Event('input'));");
    ui.waitFor(
        "search by project (any case)",
        d -> List.of("demo-gamma").equals(ui.listedTasks()) ? true : null);
    ui.driver.findElement(By.id("task-search")).clear();
    ui.js(
        "const s = document.getElementById('task-search'); s.value = ''; s.dispatchEvent(new Event('input'));");
    ui.click(By.id("group-project"));
    ui.waitFor(
        "grouped by project",
        d -> groups().containsAll(List.of("alpha", "beta", "vision")) ? true : null);
    ui.click(By.cssSelector("#task-list button.pin[data-pin='demo-beta']"));
    ui.waitFor(
        "pinned first",
        d ->
            !groups().isEmpty()
                    && "Pinned".equals(groups().get(0))
                    && "demo-beta".equals(ui.listedTasks().get(0))
                ? true
                : null);
    ui.driver.navigate().refresh();
    ui.waitLive("demo-alpha");
    ui.waitFor(
        "pin kept",
        d ->
            !groups().isEmpty()
                    && "Pinned".equals(groups().get(0))
                    && "demo-beta".equals(ui.listedTasks().get(0))
                ? true
                : null);
    ui.click(By.id("group-project"));
    ui.click(By.cssSelector("#task-list button.pin[data-pin='demo-beta']"));
    // panes by title, as a regular expression
    ui.waitFor("3 panes", d -> grid().size() == 3 ? true : null);
    ui.driver.findElement(By.id("pane-filter")).sendKeys("_loss$");
    ui.waitFor(
        "accuracy filtered out",
        d -> {
          Map<String, Map<String, Object>> g = byWin();
          return Boolean.TRUE.equals(g.get("accuracy").get("hidden"))
                  && Boolean.FALSE.equals(g.get("train_loss").get("hidden"))
                  && Boolean.FALSE.equals(g.get("val_loss").get("hidden"))
              ? true
              : null;
        });
    assertEquals("2 of 3 panes", ui.driver.findElement(By.id("pane-filter-msg")).getText());
    ui.driver.findElement(By.id("pane-filter")).sendKeys("(");
    ui.waitFor(
        "a bad expression is flagged",
        d ->
            "true".equals(d.findElement(By.id("pane-filter")).getAttribute("aria-invalid"))
                ? true
                : null);
    ui.driver.findElement(By.id("pane-filter")).clear();
    ui.js(
        "const s = document.getElementById('pane-filter'); s.value = ''; s.dispatchEvent(new Event('input'));");
    ui.waitFor(
        "all shown",
        d -> grid().stream().noneMatch(p -> Boolean.TRUE.equals(p.get("hidden"))) ? true : null);
    ui.assertNoJsErrors();
  }

  // ---------------------------------------------------------------- 6. honest states

  @Test
  void anUnknownTaskSaysSoAndOpensWhenItsJobStarts() {
    UiHarness.Response refused = ui.get("/socket?task_id=demo-nosuch&known=1");
    assertEquals(404, refused.status(), refused.body());
    assertEquals(
        "TASK_NOT_FOUND", refused.json().path("error").path("code").asText(), refused.body());
    // (without known=1 a client may still wait for a task to come: KnownTaskSocketTest)
    ui.open("?task_id=demo-nosuch");
    ui.waitFor(
        "no such task",
        d ->
            ui.state().get("missing") instanceof Map<?, ?> m && num(m.get("status")) == 404
                ? true
                : null);
    assertEquals("no such task", ui.driver.findElement(By.id("conn-text")).getText());
    assertTrue(
        ui.driver.findElement(By.id("notice")).getText().contains("No such task"),
        ui.driver.findElement(By.id("notice")).getText());
    assertFalse(ui.driver.findElement(By.id("stop-btn")).isDisplayed());
    assertEquals(0L, num(ui.state().get("windows")));
    ui.screenshot("no-such-task");
    line("demo-nosuch", "loss", "loss", 3, -1);
    ui.waitLive("demo-nosuch");
    ui.waitFor(
        "drawn once the job started",
        d -> ui.drawn("loss", "main", 0, "y").size() == 3 ? true : null);
    assertNull(ui.state().get("missing"));
    ui.assertNoJsErrors();
  }

  @Test
  void aMalformedIdShowsTheServersReason() {
    ui.open("?task_id=" + URLEncoder.encode("bad id!", StandardCharsets.UTF_8));
    ui.waitFor(
        "refused as malformed",
        d ->
            ui.state().get("missing") instanceof Map<?, ?> m && num(m.get("status")) == 400
                ? true
                : null);
    String text = ui.driver.findElement(By.id("notice")).getText();
    assertTrue(text.contains("malformed") && text.contains("INVALID_TASK_ID"), text);
    assertFalse(ui.driver.findElement(By.id("conn-text")).getText().contains("reconnecting"));
  }

  @Test
  void finishedAndLostTasksSaySoAndCannotBeStopped() {
    line("demo-fin", "loss", "loss", 3, -1);
    ui.waitFor("registered", d -> ui.get("/api/tasks/demo-fin").status() == 200 ? true : null);
    assertEquals(
        200,
        ui.post("/api/tasks/demo-fin/finish", "{\"status\":\"succeeded\",\"exit_code\":0}")
            .status());
    ui.open("?task_id=demo-fin");
    ui.waitLive("demo-fin");
    ui.waitFor(
        "says finished",
        d ->
            d.findElement(By.id("conn-text")).getText().equals("succeeded · final state")
                ? true
                : null);
    assertFalse(
        ui.driver.findElement(By.id("stop-btn")).isDisplayed(), "no Stop for a finished task");
    assertTrue(ui.driver.findElement(By.id("h-status")).getText().startsWith("succeeded"));

    line("demo-quiet", "loss", "loss", 3, -1);
    ui.open("?task_id=demo-quiet");
    ui.waitLive("demo-quiet");
    ui.waitFor(
        "lost, Stop disabled",
        Duration.ofSeconds(30),
        d -> {
          WebElement b = d.findElement(By.id("stop-btn"));
          return "lost".equals(d.findElement(By.id("h-status")).getAttribute("data-status"))
                  && b.isDisplayed()
                  && !b.isEnabled()
                  && d.findElement(By.id("conn-text")).getText().contains("lost")
              ? true
              : null;
        });
    ui.assertNoJsErrors();
  }

  @Test
  void withTheServerDownTheHeaderSaysSoAndStopIsDisabled() throws Exception {
    try (UiHarness own = UiHarness.start(Map.of())) {
      Assumptions.assumeTrue(own.server != null, "needs its own server to stop");
      own.ingestPoint("demo-down", "main", "loss", "loss", 0, 1);
      own.open("?task_id=demo-down");
      own.waitLive("demo-down");
      own.waitFor(
          "Stop enabled",
          d ->
              d.findElement(By.id("stop-btn")).isEnabled()
                      && d.findElement(By.id("stop-btn")).isDisplayed()
                  ? true
                  : null);
      own.stopServer();
      own.waitFor(
          "connection lost shown",
          Duration.ofSeconds(30),
          d ->
              Boolean.TRUE.equals(own.state().get("serverDown"))
                      && d.findElement(By.id("conn-text")).getText().contains("connection lost")
                      && !d.findElement(By.id("stop-btn")).isEnabled()
                  ? true
                  : null);
      assertEquals("down", own.driver.findElement(By.id("conn")).getAttribute("data-state"));
      own.screenshot("server-down");
    }
  }

  // ---------------------------------------------------------------- 7. accessible and dark

  @Test
  void axeFindsNothingSeriousOnTheListATaskAndTheDarkTheme() throws Exception {
    ui.open("");
    ui.waitFor("list loaded", d -> ui.listedTasks().contains("demo-live") ? true : null);
    List<String> list = ui.axeViolations();
    assertEquals(List.of(), list, "axe on the task list");

    ui.open("?task_id=demo-live");
    ui.waitLive("demo-live");
    ui.waitFor(
        "panes drawn",
        d -> grid().stream().allMatch(p -> Boolean.TRUE.equals(p.get("rendered"))) ? true : null);
    assertEquals(List.of(), ui.axeViolations(), "axe on a task view");
    assertTrue(
        num(ui.js("return document.querySelectorAll('h1, h2, h3').length;")) >= 4, "headings");
    ui.screenshot("desktop-task");
    copyToDocs("desktop-task", "screenshot.png");

    ui.colorScheme("dark");
    ui.driver.navigate().refresh();
    ui.waitLive("demo-live");
    ui.waitFor(
        "panes drawn",
        d -> grid().stream().allMatch(p -> Boolean.TRUE.equals(p.get("rendered"))) ? true : null);
    String bg = (String) ui.js("return getComputedStyle(document.body).backgroundColor;");
    assertTrue(luminance(bg) < 0.1, "a dark background: " + bg);
    String plotText = (String) ui.figure("loss", "main").get("font");
    assertTrue(
        plotText != null && luminance(plotText) > 0.6,
        "plots use the dark theme's light text: " + plotText);
    assertEquals(List.of(), ui.axeViolations(), "axe on the dark theme");
    ui.screenshot("dark-task");
    copyToDocs("dark-task", "screenshot-dark.png");
  }

  /** The live region says what changed, once: not a rewrite every poll. */
  @Test
  void theLiveRegionAnnouncesChangesOnly() {
    ui.open("?task_id=demo-live");
    ui.waitLive("demo-live");
    ui.js(
        "window.__announced = []; new MutationObserver(() => window.__announced.push(document.getElementById('announce').textContent))"
            + ".observe(document.getElementById('announce'), { childList: true, characterData: true, subtree: true });");
    long polls = num(ui.js("return window.vizrelay.state().flushes;"));
    ui.waitFor(
        "several list polls and draws",
        Duration.ofSeconds(30),
        d -> num(ui.js("return window.vizrelay.state().flushes;")) > polls + 10 ? true : null);
    List<?> announced = list(ui.js("return window.__announced;"));
    assertTrue(announced.isEmpty(), "nothing changed, nothing announced: " + announced);
    assertNull(
        ui.driver.findElement(By.id("task-list")).getAttribute("aria-live"),
        "the task list is not a live region");
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A line window with {@code n} points (y = 1/(i+1)), and a spike of 1000 at {@code spikeAt} (or
   * none).
   */
  static void line(String task, String win, String title, int n, int spikeAt) {
    ObjectNode body = Json.object().put("task_id", task).put("win", win).put("eid", "main");
    ObjectNode tr = body.putArray("data").addObject();
    ArrayNode x = tr.putArray("x");
    ArrayNode y = tr.putArray("y");
    for (int i = 0; i < n; i++) {
      x.add(i);
      y.add(i == spikeAt ? 1000.0 : 1.0 + 1.0 / (i + 1) + (i % 7) * 0.01);
    }
    tr.put("name", title).put("type", "scatter").put("mode", "lines");
    body.putObject("layout").put("title", title).put("showlegend", true);
    body.putObject("opts").put("title", title);
    UiHarness.Response r = ui.post("/events", body);
    assertEquals(200, r.status(), r.body());
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> grid() {
    Object o =
        ui.js("return window.vizrelay && window.vizrelay.grid ? window.vizrelay.grid() : [];");
    return o == null ? List.of() : (List<Map<String, Object>>) o;
  }

  static Map<String, Map<String, Object>> byWin() {
    Map<String, Map<String, Object>> out = new java.util.HashMap<>();
    for (Map<String, Object> p : grid()) {
      out.put((String) p.get("win"), p);
    }
    return out;
  }

  static List<String> order() {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> p : grid()) {
      out.add((String) p.get("win"));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<String> groups() {
    Object o = ui.js("return window.vizrelay.groups();");
    return o == null ? List.of() : (List<String>) o;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> firstTrace(String win) {
    return (Map<String, Object>) ((List<Object>) ui.figure(win, "main").get("traces")).get(0);
  }

  static boolean notSteps(String win) {
    List<?> x = (List<?>) firstTrace(win).get("x");
    return x != null
        && !x.isEmpty()
        && x.get(x.size() - 1) instanceof Number n
        && n.doubleValue() != x.size() - 1;
  }

  static void assertOnScreen(String selector, String what) {
    assertOnScreen(what, "document.querySelector(arguments[0])", selector);
  }

  static void assertOnScreen(WebElement e, String what) {
    assertOnScreen(what, "arguments[0]", e);
  }

  /** The element (a JS expression of arguments[0]) lies within the viewport, read in one call. */
  private static void assertOnScreen(String what, String element, Object arg) {
    Map<String, Object> r =
        map(
            ui.js(
                "const r = "
                    + element
                    + ".getBoundingClientRect();"
                    + " return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, vw: window.innerWidth, vh: window.innerHeight };",
                arg));
    assertTrue(
        ((Number) r.get("left")).doubleValue() >= 0
            && ((Number) r.get("right")).doubleValue() <= ((Number) r.get("vw")).doubleValue()
            && ((Number) r.get("top")).doubleValue() >= 0
            && ((Number) r.get("bottom")).doubleValue() <= ((Number) r.get("vh")).doubleValue(),
        what + " is on screen: " + r);
  }

  /** Relative luminance (WCAG) of a CSS rgb()/rgba() colour or #rrggbb. */
  static double luminance(String css) {
    double[] c = new double[3];
    String s = css.trim();
    if (s.startsWith("#")) {
      for (int i = 0; i < 3; i++) {
        c[i] = Integer.parseInt(s.substring(1 + 2 * i, 3 + 2 * i), 16) / 255.0;
      }
    } else {
      String[] parts = s.replaceAll("[^0-9.,]", "").split(",");
      for (int i = 0; i < 3; i++) {
        c[i] = Double.parseDouble(parts[i]) / 255.0;
      }
    }
    for (int i = 0; i < 3; i++) {
      c[i] = c[i] <= 0.03928 ? c[i] / 12.92 : Math.pow((c[i] + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  static void copyToDocs(String shot, String name) {
    try {
      Files.createDirectories(DOC_SHOTS);
      Files.copy(
          UiHarness.SCREENSHOTS.resolve(shot + ".png"),
          DOC_SHOTS.resolve(name),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      System.err.println("copy " + shot + " failed: " + e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertNotNull(o);
    return (Map<String, Object>) o;
  }

  static List<?> list(Object o) {
    assertNotNull(o);
    return (List<?>) o;
  }

  static long num(Object o) {
    return o == null ? -1 : ((Number) o).longValue();
  }
}
