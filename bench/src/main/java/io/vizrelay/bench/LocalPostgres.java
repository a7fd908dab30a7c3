package io.vizrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL for the bench, as {@code scripts/cluster.sh up N --pg} starts one: the
 * machine's Debian binaries ({@code /usr/lib/postgresql/<version>/bin}), a new cluster in a
 * temporary directory on 127.0.0.1 at a free port, trust authentication, run as the {@code
 * postgres} user when the bench runs as root. Default durability settings (fsync on), unlike the
 * tests' server: the figures include real commits.
 */
final class LocalPostgres implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  final int port;

  /** Stops the server if the bench is interrupted before {@link #close}. */
  private final Thread stopper = new Thread(this::stopQuietly, "bench-postgres-stopper");

  private LocalPostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  static LocalPostgres start() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    Path bin;
    try (Stream<Path> versions = Files.list(root)) {
      bin =
          versions
              .map(v -> v.resolve("bin"))
              .filter(b -> Files.isExecutable(b.resolve("initdb")))
              .max(Comparator.comparing(Path::toString))
              .orElseThrow(() -> new IOException("no PostgreSQL under " + root));
    }
    Path dir = Files.createTempDirectory("vizrelay-bench-pg-");
    LocalPostgres pg = new LocalPostgres(bin, dir, LocalCluster.freePorts(1)[0]);
    if (asRoot()) {
      pg.run("chown", "postgres", dir.toString());
    }
    pg.run(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C");
    pg.run(
        bin.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-c listen_addresses=127.0.0.1 -p " + pg.port + " -k " + dir + " -c max_connections=200",
        "start");
    Runtime.getRuntime().addShutdownHook(pg.stopper);
    return pg;
  }

  /** A new empty database; its URL in {@code VIZRELAY_PG_URL} form. */
  String newDatabase(String name) throws IOException {
    run(
        bin.resolve("createdb").toString(),
        "-h",
        "127.0.0.1",
        "-p",
        Integer.toString(port),
        "-U",
        "postgres",
        name);
    return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
  }

  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(stopper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-w",
          "-m",
          "fast",
          "stop");
    } finally {
      ServerProcess.deleteTree(dir);
    }
  }

  private void stopQuietly() {
    try {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-w",
          "-m",
          "immediate",
          "stop");
    } catch (IOException e) {
      System.err.println("bench PostgreSQL did not stop: " + e.getMessage());
    }
  }

  private void run(String... command) throws IOException {
    List<String> argv = new ArrayList<>();
    if (asRoot() && !"chown".equals(command[0])) {
      argv.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    argv.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", argv) + " failed: " + new String(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
