package io.vizrelay.app.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.app.EmbeddedServer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.json.Json;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One embedded vizrelay and one headless Chromium (Debian's chromium + chromium-driver, driven by
 * Selenium without Selenium Manager) shared by the tests of a class, plus helpers: ingest over HTTP
 * as a training job does, read the page's state through its read-only hook ({@code
 * window.vizrelay}), bounded waits, screenshots under {@code target/screenshots}.
 */
final class UiHarness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final Vertx vertx;
  final EmbeddedServer server;
  final ChromeDriver driver;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path dataDir;
  private final Path profileDir;
  private final String external;
  private boolean serverStopped;

  private UiHarness(
      Vertx vertx,
      EmbeddedServer server,
      ChromeDriver driver,
      Path dataDir,
      Path profileDir,
      String external) {
    this.external = external;
    this.vertx = vertx;
    this.server = server;
    this.driver = driver;
    this.dataDir = dataDir;
    this.profileDir = profileDir;
  }

  static UiHarness start(Map<String, String> env) throws Exception {
    String external = System.getProperty("vizrelay.ui.base");
    if (external != null && !external.isBlank()) {
      // run the page tests against a server that is already running (development)
      Path profile = Files.createTempDirectory("vizrelay-ui-chrome");
      return new UiHarness(
          null, null, chrome(profile), profile, profile, external.replaceAll("/+$", ""));
    }
    Path dataDir = Files.createTempDirectory("vizrelay-ui-data");
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("VIZRELAY_PORT", "0");
    all.putIfAbsent("VIZRELAY_DATA_DIR", dataDir.toString());
    all.putIfAbsent("VIZRELAY_FSYNC", "batch");
    String loops = System.getProperty("vizrelay.test.eventLoops"); // as TestServer
    if (loops != null && !loops.isBlank()) {
      all.putIfAbsent("VIZRELAY_EVENT_LOOPS", loops.trim());
    }
    Vertx vertx = Vertx.vertx();
    EmbeddedServer server = await(EmbeddedServer.start(vertx, VizConfig.fromEnv(all)));
    Path profile = Files.createTempDirectory("vizrelay-ui-chrome");
    ChromeDriver driver;
    try {
      driver = chrome(profile);
    } catch (RuntimeException e) {
      await(server.stop());
      await(vertx.close());
      throw e;
    }
    return new UiHarness(vertx, server, driver, dataDir, profile, null);
  }

  private static ChromeDriver chrome(Path profile) {
    String driverPath =
        System.getProperty("chromedriver", envOr("CHROMEDRIVER", "/usr/bin/chromedriver"));
    String binary = System.getProperty("chrome.binary", envOr("CHROME_BIN", "/usr/bin/chromium"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(driverPath))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(binary);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        "--window-size=1440,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return driver;
  }

  private static String envOr(String key, String def) {
    String v = System.getenv(key);
    return v == null || v.isBlank() ? def : v;
  }

  String base() {
    return external != null ? external : "http://127.0.0.1:" + server.port();
  }

  /** Opens the page; query like {@code ?task_id=x}. */
  void open(String query) {
    driver.get(base() + "/" + query);
  }

  // ---------------------------------------------------------------- HTTP (as a training job)

  record Response(int status, String body) {
    JsonNode json() {
      return Json.parseTrusted(body.getBytes(StandardCharsets.UTF_8));
    }
  }

  Response post(String path, String body) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return send(req);
  }

  Response post(String path, JsonNode body) {
    return post(path, new String(Json.bytes(body), StandardCharsets.UTF_8));
  }

  Response get(String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(15))
            .GET()
            .build());
  }

  private Response send(HttpRequest req) {
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + req.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A visdom {@code line(update='append', name=...)} request: one point appended to a named trace.
   */
  static ObjectNode appendPoint(
      String task, String env, String win, String name, double x, double y) {
    ObjectNode body = Json.object().put("task_id", task).put("win", win).put("eid", env);
    ObjectNode trace = body.putArray("data").addObject();
    trace.putArray("x").add(x);
    trace.putArray("y").add(y);
    trace.put("name", name).put("type", "scatter").put("mode", "lines");
    body.putObject("layout").put("title", win).put("showlegend", true);
    body.putObject("opts").put("title", win);
    return body.put("name", name).put("append", true);
  }

  void ingestPoint(String task, String env, String win, String name, double x, double y) {
    Response r = post("/update", appendPoint(task, env, win, name, x, y));
    if (r.status() != 200) {
      throw new AssertionError("ingest answered " + r.status() + ": " + r.body());
    }
  }

  /** A text window. */
  void ingestText(String task, String env, String win, String html) {
    ObjectNode body = Json.object().put("task_id", task).put("win", win).put("eid", env);
    body.putArray("data").addObject().put("content", html).put("type", "text");
    body.putObject("opts").put("title", win);
    Response r = post("/events", body);
    if (r.status() != 200) {
      throw new AssertionError("ingest answered " + r.status() + ": " + r.body());
    }
  }

  // ---------------------------------------------------------------- page state

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> state() {
    return (Map<String, Object>) js("return window.vizrelay ? window.vizrelay.state() : null;");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> figure(String win, String env) {
    return (Map<String, Object>)
        js(
            "return window.vizrelay ? window.vizrelay.figure(arguments[0], arguments[1]) : null;",
            win,
            env);
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> panes() {
    Object o = js("return window.vizrelay ? window.vizrelay.panes() : [];");
    return o == null ? List.of() : (List<Map<String, Object>>) o;
  }

  @SuppressWarnings("unchecked")
  List<String> listedTasks() {
    Object o = js("return window.vizrelay ? window.vizrelay.tasks() : [];");
    return o == null ? List.of() : (List<String>) o;
  }

  /** x or y values of trace {@code index} as drawn, or an empty list. */
  @SuppressWarnings("unchecked")
  List<Double> drawn(String win, String env, int index, String axis) {
    Map<String, Object> fig = figure(win, env);
    if (fig == null || !(fig.get("traces") instanceof List<?> traces) || traces.size() <= index) {
      return List.of();
    }
    Object values = ((Map<String, Object>) traces.get(index)).get(axis);
    return values == null ? List.of() : numbers((List<Object>) values);
  }

  static List<Double> numbers(List<Object> values) {
    List<Double> out = new ArrayList<>(values.size());
    for (Object v : values) {
      out.add(v == null ? null : ((Number) v).doubleValue());
    }
    return out;
  }

  <T> T waitFor(String what, Duration timeout, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
          .withMessage(what)
          .until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      screenshot("timeout-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
      throw new AssertionError("timed out waiting for: " + what + "; page state " + state(), e);
    }
  }

  <T> T waitFor(String what, Function<WebDriver, T> condition) {
    return waitFor(what, WAIT, condition);
  }

  /** Waits until the connection badge says live (or re-synced) for the given task. */
  void waitLive(String task) {
    waitFor(
        "page live on " + task,
        d -> {
          Map<String, Object> s = state();
          return s != null
                  && task.equals(s.get("task"))
                  && ("live".equals(s.get("conn")) || "re-synced".equals(s.get("conn")))
                  && Boolean.FALSE.equals(s.get("snapshotting"))
              ? Boolean.TRUE
              : null;
        });
  }

  /**
   * Clicks the element, retrying while the page swaps it for a fresh one (the task list
   * re-renders).
   */
  void click(By by) {
    waitFor(
        "click " + by,
        d -> {
          try {
            d.findElement(by).click();
            return true;
          } catch (org.openqa.selenium.StaleElementReferenceException
              | org.openqa.selenium.NoSuchElementException e) {
            return null;
          }
        });
  }

  // ---------------------------------------------------------------- viewport, colour scheme,
  // accessibility

  /** Emulates a device viewport (CSS pixels); mobile = a phone (touch, no scrollbars). */
  void viewport(int width, int height, boolean mobile) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  void desktopViewport() {
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  /** prefers-color-scheme: "dark", "light" or "" (the default). */
  void colorScheme(String scheme) {
    driver.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  private static String axeSource;

  /**
   * Runs axe-core (the test-scoped WebJar org.webjars.npm:axe-core) on the page as it is now and
   * returns its serious and critical violations as "rule: target (summary)" lines.
   */
  @SuppressWarnings("unchecked")
  List<String> axeViolations() {
    if (axeSource == null) {
      try (var in = UiHarness.class.getClassLoader().getResourceAsStream(AXE_RESOURCE)) {
        if (in == null) {
          throw new AssertionError("axe-core is not on the test classpath: " + AXE_RESOURCE);
        }
        axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    if (!Boolean.TRUE.equals(js("return !!window.axe;"))) {
      // evaluated by the DevTools protocol in the page's global scope: the page's CSP does not
      // apply
      driver.executeCdpCommand("Runtime.evaluate", Map.of("expression", axeSource));
    }
    Object result =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations"
                    + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\\s+/g, ' ') + ')'))))"
                    + ".catch(e => done(['axe failed: ' + e]));");
    return result == null ? List.of() : (List<String>) result;
  }

  static final String AXE_RESOURCE = "META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";

  /** Stops the embedded server (the browser stays): the page then sees a server that is down. */
  void stopServer() throws Exception {
    serverStopped = true;
    await(server.stop());
  }

  // ---------------------------------------------------------------- evidence

  Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path out = SCREENSHOTS.resolve(name + ".png");
      Path tmp = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(tmp, out, StandardCopyOption.REPLACE_EXISTING);
      return out;
    } catch (Exception e) {
      System.err.println("screenshot " + name + " failed: " + e);
      return null;
    }
  }

  /**
   * JavaScript errors the page logged (failed HTTP requests, e.g. a 404, are not errors of the
   * page).
   */
  List<String> jsErrors() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      String m = e.getMessage();
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()
          && !m.contains("Failed to load resource")
          // a refused socket (unknown task, known=1) is the page's honest state, shown in the UI
          && !m.contains("Error during WebSocket handshake")
          // the CSP blocking an inline handler in a text window's HTML (the corpus carries such
          // attacks on purpose) is the defence working; sanitize.js drops those attributes anyway
          && !m.contains(
              "Executing inline event handler violates the following Content Security Policy")
          && !m.contains("favicon")) {
        out.add(m);
      }
    }
    return out;
  }

  void assertNoJsErrors() {
    List<String> errors = jsErrors();
    assertTrue(errors.isEmpty(), "JavaScript errors on the page: " + errors);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      driver.quit();
    } finally {
      try {
        if (server != null) {
          if (!serverStopped) {
            await(server.stop());
          }
          await(vertx.close());
        }
      } finally {
        delete(dataDir);
        delete(profileDir);
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
