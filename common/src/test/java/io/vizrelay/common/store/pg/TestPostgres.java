package io.vizrelay.common.store.pg;

import io.vizrelay.common.cluster.TestGrid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: the machine's Debian {@code postgresql} binaries ({@code
 * /usr/lib/postgresql/<version>/bin}), one cluster per JVM in a temporary directory, listening on
 * 127.0.0.1 at a free port with trust authentication, stopped at JVM exit. PostgreSQL refuses to
 * run as root, so when the tests run as root (CI does) every server command runs as the {@code
 * postgres} user through {@code runuser}. Each test class takes a fresh database ({@link
 * #newDatabase}); outage tests {@link #stop} and {@link #start} the server.
 *
 * <p>{@code fsync=off}: the tests kill vizrelay nodes, never the database host, so durability of
 * PostgreSQL's own files is not what they check, and fsync would only cost the shared CPU time.
 */
public final class TestPostgres {
  private static TestPostgres shared;

  private final Path bin;
  private final Path dir;
  private final int port;
  private boolean running;

  private TestPostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  /** The JVM's server, initialized and started on first use (about two seconds). */
  public static synchronized TestPostgres shared() {
    if (shared == null) {
      try {
        TestPostgres pg =
            new TestPostgres(
                binaries(), Files.createTempDirectory("vizrelay-pg"), TestGrid.freePorts(1).get(0));
        pg.init();
        pg.start();
        Runtime.getRuntime().addShutdownHook(new Thread(pg::destroy, "test-postgres-stop"));
        shared = pg;
      } catch (IOException e) {
        throw new IllegalStateException("could not start a test PostgreSQL: " + e.getMessage(), e);
      }
    }
    return shared;
  }

  /** A new, empty database; its URL in {@code VIZRELAY_PG_URL} form. */
  public String newDatabase() {
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of database {@code db}. */
  public String jdbcUrl(String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  /** Starts the server (waits until it accepts connections). */
  public synchronized void start() throws IOException {
    if (!running) {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-l",
          dir.resolve("log").toString(),
          "-w",
          "-t",
          "60",
          "-o",
          "-c listen_addresses=127.0.0.1 -p "
              + port
              + " -k "
              + dir
              + " -c fsync=off -c max_connections=200",
          "start");
      running = true;
    }
  }

  /** Stops the server (fast shutdown: open connections are closed, as in a database failover). */
  public synchronized void stop() throws IOException {
    if (running) {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-w",
          "-t",
          "60",
          "-m",
          "fast",
          "stop");
      running = false;
    }
  }

  /**
   * Stops the server at once ({@code pg_ctl stop -m immediate}: every backend is killed, no
   * checkpoint, as in a crash); {@link #start} recovers it.
   */
  public synchronized void kill() throws IOException {
    if (running) {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-w",
          "-t",
          "60",
          "-m",
          "immediate",
          "stop");
      running = false;
    }
  }

  private void init() throws IOException {
    if (asRoot()) {
      run("chown", "postgres", dir.toString());
    }
    run(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--locale=C");
  }

  private void destroy() {
    try {
      if (running) {
        run(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-w",
            "-m",
            "immediate",
            "stop");
      }
    } catch (IOException e) {
      System.err.println("test PostgreSQL did not stop: " + e.getMessage());
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }

  /** Runs a server command, as {@code postgres} when this JVM is root; fails with its output. */
  private void run(String... command) throws IOException {
    List<String> argv = new ArrayList<>();
    if (asRoot() && !"chown".equals(command[0])) {
      argv.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    argv.addAll(List.of(command));
    Path out = Files.createTempFile("vizrelay-pg-cmd", ".log");
    try {
      Process p =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + " did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", argv)
                + " exited "
                + p.exitValue()
                + ": "
                + Files.readString(out)
                + serverLog());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private String serverLog() {
    try {
      Path log = dir.resolve("log");
      return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest {@code /usr/lib/postgresql/<version>/bin} with initdb. */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IOException(
          "PostgreSQL is not installed (no " + root + "); install Debian's postgresql package");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              Comparator.comparingInt(
                  b ->
                      Integer.parseInt(
                          b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IOException("no initdb under " + root));
    }
  }
}
