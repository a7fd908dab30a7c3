package io.vizrelay.app.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;
import io.vizrelay.common.cluster.ClusterConfig;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.pg.PgConfig;
import io.vizrelay.ingest.IngestVerticle;
import io.vizrelay.socket.SocketVerticle;
import io.vizrelay.taskinfo.TaskinfoVerticle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Clustered nodes in this JVM, each a Hazelcast-clustered Vert.x running ingest, socket and
 * taskinfo on its own HTTP server (port 0), on 127.0.0.1 with a random cluster name and free
 * Hazelcast ports listed explicitly. {@link #close} stops every node.
 */
final class ClusterHarness implements AutoCloseable {
  static final List<ClusterNode.Service> ALL =
      List.of(
          c -> new IngestVerticle(c.config(), c.store(), c.router()),
          c -> new SocketVerticle(c.config(), c.store(), c.router()),
          TaskinfoVerticle::clustered);

  /** The Hazelcast side: cluster name, member ports, join and failure-detection settings. */
  final TestGrid grid;

  final List<ClusterNode> nodes = new ArrayList<>();
  private final Path dir;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** Added to every node's environment (e.g. auth settings). */
  private final Map<String, String> extraEnv;

  /** Reserves {@code capacity} Hazelcast ports: every node lists all of them as members. */
  ClusterHarness(Path dir, int capacity) throws IOException {
    this(dir, capacity, Map.of());
  }

  /** As above, every node also configured with {@code extraEnv}. */
  ClusterHarness(Path dir, int capacity, Map<String, String> extraEnv) throws IOException {
    this.dir = dir;
    this.grid = new TestGrid(capacity);
    this.extraEnv = Map.copyOf(extraEnv);
  }

  /** The environment a node (in-process or a jar) is configured with. */
  Map<String, String> env(int index) {
    Map<String, String> env = new HashMap<>(grid.env(index));
    env.put("VIZRELAY_HOST", "127.0.0.1");
    env.put("VIZRELAY_PORT", "0");
    env.put("VIZRELAY_DATA_DIR", dir.resolve("node" + index).toString());
    env.put("VIZRELAY_FSYNC", "batch");
    env.put("VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS", "10");
    String loops = System.getProperty("vizrelay.test.eventLoops"); // as TestServer
    if (loops != null && !loops.isBlank()) {
      env.put("VIZRELAY_EVENT_LOOPS", loops.trim());
    }
    env.putAll(extraEnv);
    return env;
  }

  /**
   * Starts a whole node ({@link NodeMain}) as its own JVM with {@code env}, its output in {@code
   * log}: the heap bound and Hazelcast's {@code --add-opens} flags of the service jars.
   */
  static Process startNodeProcess(Map<String, String> env, Path log) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
    cmd.addAll(
        List.of(
            ("--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED "
                    + "--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED "
                    + "--add-opens java.management/sun.management=ALL-UNNAMED "
                    + "--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED")
                .split(" ")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeMain.class.getName()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  /** The task's last seq, as a fresh browser on {@code port} sees it in its first {@code sync}. */
  static long lastSeq(WebSocketClient ws, int port, String task) throws Exception {
    WsBrowser probe = await(WsBrowser.connect(ws, port, "/socket?task_id=" + task), 30);
    assertTrue(
        probe.await(f -> "sync".equals(f.path("command").asText()), 30_000),
        "a fresh browser's first sync");
    return probe.frames().stream()
        .filter(f -> "sync".equals(f.path("command").asText()))
        .findFirst()
        .orElseThrow()
        .path("seq")
        .asLong();
  }

  /** Starts the next node (index = number of nodes so far). */
  ClusterNode startNode() throws Exception {
    return startNode(Map.of());
  }

  /**
   * Starts the next node with {@code extra} added to its environment ({@code VIZRELAY_PG_*} puts
   * PostgreSQL behind its grid).
   */
  ClusterNode startNode(Map<String, String> extra) throws Exception {
    Map<String, String> env = env(nodes.size());
    env.putAll(extra);
    ClusterNode node =
        await(
            ClusterNode.start(
                VizConfig.fromEnv(env),
                ClusterConfig.fromEnv(env),
                PgConfig.fromEnv(env),
                HotConfig.fromEnv(env),
                ALL),
            120);
    nodes.add(node);
    return node;
  }

  Response post(int port, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  Response get(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  record Response(int status, String body) {}

  static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  static String point(String taskId, String win, double x, double y) {
    return "{\"task_id\":\""
        + taskId
        + "\",\"win\":\""
        + win
        + "\",\"eid\":\"main\",\"data\":[{\"x\":["
        + x
        + "],\"y\":["
        + y
        + "],\"name\":\"train\",\"type\":\"scatter\",\"mode\":\"lines\"}],\"layout\":{},"
        + "\"opts\":{},\"name\":\"train\",\"append\":true}";
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        await(nodes.get(i).stop(), 30);
      } catch (Exception e) {
        System.err.println("node " + i + " did not stop cleanly: " + e);
      }
    }
    nodes.clear();
  }
}
