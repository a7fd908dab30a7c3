package io.vizrelay.bench;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What every scenario gets: the bench's Vert.x, the run options, and where results go. */
final class BenchContext {
  final Vertx vertx;
  final Options options;
  final Targets targets = new Targets();
  final List<Table> tables = new ArrayList<>();
  final List<String> observations = new ArrayList<>();

  BenchContext(Vertx vertx, Options options) {
    this.vertx = vertx;
    this.options = options;
  }

  private int servers;

  ServerProcess vizrelay(String fsync) throws Exception {
    List<String> opts = new ArrayList<>(options.serverJvmOpts());
    if (options.jfrDir() != null) {
      java.nio.file.Files.createDirectories(options.jfrDir());
      Path file =
          options
              .jfrDir()
              .resolve(String.format("vizrelay-%02d-fsync-%s.jfr", ++servers, fsync))
              .toAbsolutePath();
      opts.add("-XX:StartFlightRecording=filename=" + file + ",settings=profile");
      opts.add("-XX:FlightRecorderOptions=stackdepth=256");
      log("server JFR recording: %s", file);
    }
    return ServerProcess.vizrelay(options.serverJar(), fsync, opts);
  }

  /**
   * The event loops a vizrelay started by this bench runs unless a scenario sets them: {@code
   * VIZRELAY_EVENT_LOOPS} from the bench's environment (the servers inherit it), else the machine's
   * cores (vizrelay's default). The ceilings match it when they stand next to such a vizrelay.
   */
  static int defaultLoops() {
    String set = System.getenv("VIZRELAY_EVENT_LOOPS");
    try {
      return set == null
          ? Runtime.getRuntime().availableProcessors()
          : Integer.parseInt(set.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("VIZRELAY_EVENT_LOOPS is not a number: " + set, e);
    }
  }

  /** The bare ceiling with as many server instances as vizrelay's default event loops. */
  ServerProcess bare() throws Exception {
    return ServerProcess.bare(options.serverJvmOpts(), defaultLoops());
  }

  /** The relay floor ({@link BareJsonServer}) with as many instances as the default loops. */
  ServerProcess bareJson() throws Exception {
    return ServerProcess.bareJson(options.serverJvmOpts(), defaultLoops());
  }

  /** The bare ceiling with {@code instances} server instances on one port. */
  ServerProcess bare(int instances) throws Exception {
    return ServerProcess.bare(options.serverJvmOpts(), instances);
  }

  /** The bare fan-out ceiling with {@code instances} server instances on one port. */
  ServerProcess bareFanout(int instances) throws Exception {
    return ServerProcess.bareFanout(options.serverJvmOpts(), instances);
  }

  /** The embedded vizrelay with {@code VIZRELAY_EVENT_LOOPS=loops}. */
  ServerProcess vizrelay(String fsync, int loops) throws Exception {
    return ServerProcess.vizrelayIn(
        java.nio.file.Files.createTempDirectory("vizrelay-bench-"),
        options.serverJar(),
        fsync,
        options.serverJvmOpts(),
        java.util.Map.of("VIZRELAY_EVENT_LOOPS", Integer.toString(loops)));
  }

  boolean quick() {
    return options.quick();
  }

  /** Picks the full or the quick value. */
  <T> T pick(T full, T quick) {
    return options.quick() ? quick : full;
  }

  Duration seconds(double full, double quick) {
    return Duration.ofMillis((long) (1000 * pick(full, quick)));
  }

  void log(String format, Object... args) {
    System.err.printf("[bench] " + format + "%n", args);
  }

  /** Something the run noticed (server errors, resyncs...), listed under the tables. */
  void observe(String text) {
    observations.add(text);
    log("NOTE: %s", text);
  }

  /** Run options, from the command line. */
  record Options(
      boolean quick,
      List<String> scenarios,
      Path serverJar,
      Path reportFile,
      List<String> serverJvmOpts,
      Path jfrDir,
      List<String> shapes,
      String command,
      Path serviceJarDir,
      Path startupDir) {}
}
