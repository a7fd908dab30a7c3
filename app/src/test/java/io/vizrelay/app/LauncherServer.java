package io.vizrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The launcher tests' shared fixture: one embedded server for the test class (started before all
 * its tests, closed after, its data directory removed), its URL, and the registry's view of a task.
 * Register it as {@code @RegisterExtension static final LauncherServer server = new
 * LauncherServer(env)}.
 */
final class LauncherServer implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> env;
  private Path dataDir;
  private TestServer server;

  LauncherServer() {
    this(Map.of());
  }

  LauncherServer(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("vizrelay-launcher");
    server = TestServer.start(dataDir.resolve("data"), env);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      server.close();
    } finally {
      deleteTree(dataDir);
    }
  }

  TestServer server() {
    return server;
  }

  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The registry's record of the task, or an empty object when it has none. */
  JsonNode task(String id) throws Exception {
    TestServer.Response r = server.get("/api/tasks/" + id);
    return r.status() == 200
        ? Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
        : Json.object();
  }

  /** Polls {@code probe} until it answers non-null, for at most 30 s. */
  static <T> T until(String what, Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      T value = probe.call();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
