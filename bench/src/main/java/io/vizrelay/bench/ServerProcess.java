package io.vizrelay.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server under test, run as a child JVM so that its RSS and CPU are its own: the embedded
 * vizrelay ({@code java -jar vizrelay.jar}) or a bare ceiling ({@link BareServer}, {@link
 * BareFanoutServer}). Launched through {@code bash -c 'ulimit -n <hard>; exec java ...'} so it may
 * hold 10k sockets. It announces its port in {@code <dataDir>/port}; ready means {@code GET
 * /health} answers 200.
 */
final class ServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  final String label;
  final Path dataDir;
  final int port;
  private final Process process;

  private ServerProcess(String label, Path dataDir, int port, Process process) {
    this.label = label;
    this.dataDir = dataDir;
    this.port = port;
    this.process = process;
  }

  /** The embedded vizrelay with {@code VIZRELAY_FSYNC=fsync}. */
  static ServerProcess vizrelay(Path jar, String fsync, List<String> jvmOpts) throws Exception {
    return vizrelayIn(Files.createTempDirectory("vizrelay-bench-"), jar, fsync, jvmOpts);
  }

  /** The embedded vizrelay on an existing data directory (a restart). */
  static ServerProcess vizrelayIn(Path dir, Path jar, String fsync, List<String> jvmOpts)
      throws Exception {
    return vizrelayIn(dir, jar, fsync, jvmOpts, Map.of());
  }

  /** The same with more environment ({@code VIZRELAY_HOT_IDLE_SECONDS}, ...). */
  static ServerProcess vizrelayIn(
      Path dir, Path jar, String fsync, List<String> jvmOpts, Map<String, String> moreEnv)
      throws Exception {
    Files.deleteIfExists(dir.resolve("port"));
    List<String> java = new ArrayList<>(List.of(javaBin()));
    java.addAll(jvmOpts);
    java.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    Map<String, String> env = new java.util.HashMap<>(moreEnv);
    env.putAll(
        Map.of("VIZRELAY_PORT", "0", "VIZRELAY_DATA_DIR", dir.toString(), "VIZRELAY_FSYNC", fsync));
    String loops = moreEnv.get("VIZRELAY_EVENT_LOOPS");
    return launch(
        "vizrelay fsync=" + fsync + (loops == null ? "" : " loops=" + loops), dir, java, env);
  }

  /** The bare ceiling with {@code instances} servers sharing its port (one per event loop). */
  static ServerProcess bare(List<String> jvmOpts, int instances) throws Exception {
    return bare(jvmOpts, BareServer.class, instances, "bare vert.x");
  }

  /** The relay floor ({@link BareJsonServer}: parse, write back) with {@code instances} servers. */
  static ServerProcess bareJson(List<String> jvmOpts, int instances) throws Exception {
    return bare(jvmOpts, BareJsonServer.class, instances, "bare vert.x + json");
  }

  /** The bare fan-out ceiling ({@link BareFanoutServer}) with {@code instances} servers. */
  static ServerProcess bareFanout(List<String> jvmOpts, int instances) throws Exception {
    return bare(jvmOpts, BareFanoutServer.class, instances, "bare vert.x fan-out");
  }

  /**
   * A bare server class from this bench's own classpath, {@code main(<dir>, <instances>)}, labelled
   * {@code label} ({@code xN} added for several instances).
   */
  private static ServerProcess bare(
      List<String> jvmOpts, Class<?> main, int instances, String label) throws Exception {
    Path dir = Files.createTempDirectory("vizrelay-bare-");
    List<String> java = new ArrayList<>(List.of(javaBin()));
    java.addAll(jvmOpts);
    java.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            main.getName(),
            dir.toString(),
            Integer.toString(instances)));
    return launch(instances == 1 ? label : label + " x" + instances, dir, java, Map.of());
  }

  private static Process start(Path dir, List<String> java, Map<String, String> env)
      throws IOException {
    String cmd = "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec " + shellJoin(java);
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  private static ServerProcess launch(
      String label, Path dir, List<String> java, Map<String, String> env) throws Exception {
    Process p = start(dir, java, env);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Path portFile = dir.resolve("port");
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            label + " exited with " + p.exitValue() + "; log: " + tail(dir.resolve("server.log")));
      }
      if (Files.exists(portFile)) {
        String text = Files.readString(portFile).trim();
        if (!text.isEmpty() && healthy(Integer.parseInt(text))) {
          return new ServerProcess(label, dir, Integer.parseInt(text), p);
        }
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new IllegalStateException(
        label + " did not become healthy within " + START_TIMEOUT.toSeconds() + " s");
  }

  /**
   * Starts a server on a port chosen by the caller and returns at once (several can start in
   * parallel); {@link #awaitOk} then waits for it. Its log is {@code <dir>/server.log}.
   */
  static ServerProcess spawn(
      String label, Path dir, List<String> java, Map<String, String> env, int port)
      throws IOException {
    return new ServerProcess(label, dir, port, start(dir, java, env));
  }

  /**
   * Waits until {@code GET <path>} answers 200, failing if the process exits or the deadline
   * ({@code System.nanoTime()}) passes first.
   */
  void awaitOk(String path, long deadlineNanos) throws InterruptedException {
    while (System.nanoTime() < deadlineNanos) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            label + " exited with " + process.exitValue() + "; log: " + logTail());
      }
      if (ok(port, path)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        label + ": GET " + path + " did not answer 200 in time; log: " + logTail());
  }

  private static boolean healthy(int port) {
    return ok(port, "/health");
  }

  private static boolean ok(int port, String path) {
    try {
      HttpResponse<Void> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  long pid() {
    return process.pid();
  }

  long rssKb() {
    return ProcStats.rssKb(pid());
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Runs {@code jcmd <pid> <command>} and returns its output (diagnosis only). */
  String jcmd(String... command) {
    List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid())));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "jcmd failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  String logTail() {
    return tail(dataDir.resolve("server.log"));
  }

  /** SIGKILL, keeping the data directory (for a restart). */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL after 15 s; deletes the data directory. */
  @Override
  public void close() {
    closeAll(List.of(this), Duration.ofSeconds(15));
  }

  /** SIGKILL now (a shutdown hook's last resort). */
  void destroyForcibly() {
    process.destroyForcibly();
  }

  /**
   * SIGTERM to all at once, then waits for them together for at most {@code grace}; SIGKILLs what
   * is left (waiting ≤ 5 s more) and deletes the data directories. Returns the labels of the
   * processes that had to be killed.
   */
  static List<String> closeAll(List<ServerProcess> servers, Duration grace) {
    List<String> killed = new ArrayList<>();
    servers.forEach(s -> s.process.destroy());
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      for (ServerProcess s : servers) {
        long left = deadline - System.nanoTime();
        if (!s.process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
          s.process.destroyForcibly();
          killed.add(s.label);
        }
      }
      for (ServerProcess s : servers) {
        s.process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      servers.forEach(s -> s.process.destroyForcibly());
      Thread.currentThread().interrupt();
    }
    servers.forEach(s -> deleteTree(s.dataDir));
    return killed;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String shellJoin(List<String> args) {
    StringBuilder sb = new StringBuilder();
    for (String a : args) {
      sb.append('\'').append(a.replace("'", "'\\''")).append("' ");
    }
    return sb.toString();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp dir
    }
  }
}
