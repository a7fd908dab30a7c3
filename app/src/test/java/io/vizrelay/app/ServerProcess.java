package io.vizrelay.app;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The real {@code app/target/vizrelay.jar}, started as a separate JVM for crash tests. */
final class ServerProcess {
  private final Process process;
  final int port;

  /**
   * Every server started by this JVM; those a failed test left running are killed when the test JVM
   * exits (a leftover whose data directory JUnit deleted retries its log's commits for ever).
   */
  private static final java.util.Queue<Process> STARTED =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
  }

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static ServerProcess start(Path dataDir, Path log, Map<String, String> env) throws Exception {
    return start(dataDir, log, env, "512m");
  }

  /** With the server JVM's max heap ({@code -Xmx}) set to {@code maxHeap}. */
  static ServerProcess start(Path dataDir, Path log, Map<String, String> env, String maxHeap)
      throws Exception {
    String jar = System.getProperty("vizrelay.jar", "target/vizrelay.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    Files.deleteIfExists(dataDir.resolve("port"));
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx" + maxHeap,
            "-XX:+ExitOnOutOfMemoryError",
            "-jar",
            new File(jar).getAbsolutePath());
    pb.environment().put("VIZRELAY_PORT", "0");
    pb.environment().put("VIZRELAY_DATA_DIR", dataDir.toString());
    String loops = System.getProperty("vizrelay.test.eventLoops"); // as TestServer
    if (loops != null && !loops.isBlank()) {
      pb.environment().put("VIZRELAY_EVENT_LOOPS", loops.trim());
    }
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process = pb.start();
    STARTED.add(process);
    int port = awaitHealthy(process, dataDir);
    return new ServerProcess(process, port);
  }

  /** Waits (bounded) for the port file and a 200 from /health. */
  private static int awaitHealthy(Process process, Path dataDir) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue());
      }
      Path portFile = dataDir.resolve("port");
      if (Files.exists(portFile)) {
        int port = Integer.parseInt(Files.readString(portFile).trim());
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return port;
          }
        } catch (IOException notYet) {
          // listening is announced after the port file; retry until the deadline
        }
      }
      Thread.onSpinWait();
      Thread.sleep(20); // polling a separate process's start-up; bounded by the deadline
    }
    throw new IllegalStateException("server did not become healthy within 60 s");
  }

  /** kill -9: the JVM gets no chance to flush or close anything. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
