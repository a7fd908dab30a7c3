package io.vizrelay.common.store.pg;

import io.vizrelay.common.config.EnvVars;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL tier behind the grid, read from environment variables (README "Configuration").
 * Off unless {@code VIZRELAY_PG_URL} is set: then nothing of the PostgreSQL tier is started.
 *
 * @param host database host, from {@code VIZRELAY_PG_URL} ({@code
 *     postgresql://[user[:password]@]host[:port]/db}; {@code postgres://} is accepted too)
 * @param port database port (default 5432)
 * @param database database name
 * @param user role (default {@code postgres})
 * @param password {@code VIZRELAY_PG_PASSWORD} when set (a Kubernetes Secret), else the URL's, else
 *     empty
 * @param commit {@code VIZRELAY_PG_COMMIT}: {@code sync} (default: acknowledged = committed in
 *     PostgreSQL) or {@code async} (acknowledged = on the in-grid backup; PostgreSQL written
 *     behind, at most {@code maxLagSeconds} late)
 * @param poolSize {@code VIZRELAY_PG_POOL_SIZE}: connections per node (default 8)
 * @param snapshotFrames {@code VIZRELAY_PG_SNAPSHOT_FRAMES}: a task's state is snapshotted in
 *     PostgreSQL every this many frames (default 1000); bounds the replay of a task loaded back
 *     into the grid
 * @param connectTimeoutSeconds {@code VIZRELAY_PG_CONNECT_TIMEOUT_SECONDS}: how long a write waits
 *     for a connection before the request answers 503 (default 5)
 * @param maxLagSeconds {@code VIZRELAY_PG_MAX_LAG_SECONDS}: with {@code async}, once the oldest
 *     write not yet in PostgreSQL is this old, ingest answers 503 until it catches up (default 10)
 */
public record PgConfig(
    String host,
    int port,
    String database,
    String user,
    String password,
    Commit commit,
    int poolSize,
    int snapshotFrames,
    int connectTimeoutSeconds,
    int maxLagSeconds) {

  /** When an ingest request is acknowledged. */
  public enum Commit {
    /** after its frames are committed in PostgreSQL (group commit across tasks). */
    SYNC,
    /** after the in-grid backup; PostgreSQL is written behind with a bounded lag. */
    ASYNC
  }

  private static final Pattern URL =
      Pattern.compile(
          "postgres(?:ql)?://(?:(?<user>[^:@/]*)(?::(?<password>[^@/]*))?@)?(?<host>\\[[^\\]]+]|[^:/@\\[]+)"
              + "(?::(?<port>\\d{1,5}))?/(?<db>[^/?#]+)");

  /** The configuration, or null when {@code VIZRELAY_PG_URL} is unset (the tier is off). */
  public static PgConfig fromEnv(Map<String, String> env) {
    EnvVars e = new EnvVars(env);
    String url = e.string("VIZRELAY_PG_URL", null);
    if (url == null) {
      return null;
    }
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "VIZRELAY_PG_URL must be postgresql://[user[:password]@]host[:port]/db, was "
              + redacted(url));
    }
    int port = m.group("port") == null ? 5432 : Integer.parseInt(m.group("port"));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("VIZRELAY_PG_URL port must be in [1, 65535], was " + port);
    }
    String user =
        m.group("user") == null || m.group("user").isEmpty() ? "postgres" : decode(m.group("user"));
    String password =
        e.string(
            "VIZRELAY_PG_PASSWORD", m.group("password") == null ? "" : decode(m.group("password")));
    Commit commit = e.enumValue("VIZRELAY_PG_COMMIT", Commit.class, Commit.SYNC);
    return new PgConfig(
        m.group("host"),
        port,
        decode(m.group("db")),
        user,
        password,
        commit,
        e.integer("VIZRELAY_PG_POOL_SIZE", 8, 1, 1000),
        e.integer("VIZRELAY_PG_SNAPSHOT_FRAMES", 1000, 10, 10_000_000),
        e.integer("VIZRELAY_PG_CONNECT_TIMEOUT_SECONDS", 5, 1, 300),
        e.integer("VIZRELAY_PG_MAX_LAG_SECONDS", 10, 1, 3600));
  }

  /** The JDBC URL (no credentials in it). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Where the tier writes, for logs and {@code /readiness} (never the password). */
  public String describe() {
    return "postgresql://"
        + user
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database
        + " ("
        + commit.name().toLowerCase()
        + ")";
  }

  @Override
  public String toString() {
    return "PgConfig[" + describe() + ", pool=" + poolSize + "]";
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String redacted(String url) {
    return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@");
  }
}
