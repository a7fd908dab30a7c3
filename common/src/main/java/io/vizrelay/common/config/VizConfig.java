package io.vizrelay.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole typed configuration, read once from environment variables at start-up. Every key has a
 * documented default (README "Configuration"); an invalid value fails start-up with a message.
 *
 * @param host bind address ({@code VIZRELAY_HOST}, default {@code 127.0.0.1})
 * @param port HTTP port ({@code VIZRELAY_PORT}, default 8186; 0 picks a free one)
 * @param dataDir data directory of the embedded store ({@code VIZRELAY_DATA_DIR}, default {@code
 *     ./data})
 * @param demo run the built-in demo training task ({@code VIZRELAY_DEMO}, default false)
 * @param defaultTask the task of requests that name none ({@code VIZRELAY_DEFAULT_TASK}, default
 *     {@code default})
 * @param fsync durability of the embedded log ({@code VIZRELAY_FSYNC}: {@code always} (default),
 *     {@code batch} = OS buffers only, {@code never})
 * @param maxBodyBytes largest accepted ingest body ({@code VIZRELAY_MAX_BODY_BYTES}, default 16
 *     MiB)
 * @param retainFrames frames kept per task for resume ({@code VIZRELAY_RETAIN_FRAMES}, default
 *     10000)
 * @param retainTime how long frames are kept at least ({@code VIZRELAY_RETAIN_SECONDS}, default
 *     300)
 * @param sessionQueueBytes per-browser send-queue bound ({@code VIZRELAY_SESSION_QUEUE_BYTES},
 *     default 1 MiB)
 * @param maxWindowsPerTask ({@code VIZRELAY_MAX_WINDOWS_PER_TASK}, default 1000)
 * @param maxPointsPerWindow ({@code VIZRELAY_MAX_POINTS_PER_WINDOW}, default 10,000,000)
 * @param lostAfter a running task unseen this long becomes lost ({@code
 *     VIZRELAY_LOST_AFTER_SECONDS}, default 60)
 * @param user with {@code VIZRELAY_AUTH=none}, the (admin) user every request acts as ({@code
 *     VIZRELAY_USER}, default {@code demo})
 * @param wsCompression offer permessage-deflate on WebSockets ({@code VIZRELAY_WS_COMPRESSION},
 *     default false: it costs ~94 KB of native memory per socket and deflates snapshots on the
 *     event loop)
 * @param snapshotBytes a task's state is snapshotted once the frames logged since its last snapshot
 *     exceed this and the last snapshot's size ({@code VIZRELAY_SNAPSHOT_BYTES}, default 4 MiB):
 *     restart replays at most about one state's worth of frames per task
 * @param auth identities, authorization and per-credential limits ({@link AuthConfig}, issue 7)
 * @param eventLoops event loops serving HTTP and WebSockets ({@code VIZRELAY_EVENT_LOOPS}, default
 *     the number of available processors, 1-256): as many server instances share the port ({@link
 *     io.vizrelay.common.http.HttpListeners})
 * @param journalTime how long acknowledged writes may stay only in the embedded log's journal
 *     before SQLite takes them ({@code VIZRELAY_JOURNAL_MS}, default 50, 1-600000): longer means
 *     fewer, larger SQLite transactions and a longer redo after a crash; a read of the log takes
 *     them at once
 */
public record VizConfig(
    String host,
    int port,
    Path dataDir,
    boolean demo,
    String defaultTask,
    Fsync fsync,
    int maxBodyBytes,
    int retainFrames,
    Duration retainTime,
    int sessionQueueBytes,
    int maxWindowsPerTask,
    long maxPointsPerWindow,
    Duration lostAfter,
    String user,
    long snapshotBytes,
    AuthConfig auth,
    boolean wsCompression,
    int eventLoops,
    Duration journalTime) {

  /** Durability of an acknowledged event in the embedded store. */
  public enum Fsync {
    /** fsync before the reply (group commit). Survives power loss. */
    ALWAYS,
    /** written to the OS before the reply; survives kill -9, not power loss. */
    BATCH,
    /** written asynchronously; a crash may lose the last moments. */
    NEVER
  }

  /** Most event loops {@code VIZRELAY_EVENT_LOOPS} accepts. */
  public static final int MAX_EVENT_LOOPS = 256;

  /** The longest task id. */
  public static final int MAX_TASK_ID = 128;

  public static VizConfig defaults() {
    return fromEnv(Map.of());
  }

  public static VizConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  public static VizConfig fromEnv(Map<String, String> env) {
    EnvVars e = new EnvVars(env);
    VizConfig config =
        new VizConfig(
            e.string("VIZRELAY_HOST", "127.0.0.1"),
            e.integer("VIZRELAY_PORT", 8186, 0, 65535),
            Path.of(e.string("VIZRELAY_DATA_DIR", "./data")),
            e.bool("VIZRELAY_DEMO", false),
            e.string("VIZRELAY_DEFAULT_TASK", "default"),
            e.enumValue("VIZRELAY_FSYNC", Fsync.class, Fsync.ALWAYS),
            e.integer("VIZRELAY_MAX_BODY_BYTES", 16 * 1024 * 1024, 1024, Integer.MAX_VALUE),
            e.integer("VIZRELAY_RETAIN_FRAMES", 10_000, 1, Integer.MAX_VALUE),
            Duration.ofSeconds(e.integer("VIZRELAY_RETAIN_SECONDS", 300, 0, Integer.MAX_VALUE)),
            e.integer("VIZRELAY_SESSION_QUEUE_BYTES", 1024 * 1024, 1024, Integer.MAX_VALUE),
            e.integer("VIZRELAY_MAX_WINDOWS_PER_TASK", 1000, 1, Integer.MAX_VALUE),
            e.integer("VIZRELAY_MAX_POINTS_PER_WINDOW", 10_000_000, 1, Integer.MAX_VALUE),
            Duration.ofSeconds(e.integer("VIZRELAY_LOST_AFTER_SECONDS", 60, 1, Integer.MAX_VALUE)),
            e.string("VIZRELAY_USER", "demo"),
            e.integer("VIZRELAY_SNAPSHOT_BYTES", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE),
            AuthConfig.fromEnv(e),
            e.bool("VIZRELAY_WS_COMPRESSION", false),
            e.integer(
                "VIZRELAY_EVENT_LOOPS",
                Math.min(Runtime.getRuntime().availableProcessors(), MAX_EVENT_LOOPS),
                1,
                MAX_EVENT_LOOPS),
            Duration.ofMillis(e.integer("VIZRELAY_JOURNAL_MS", 50, 1, 600_000)));
    config.validate();
    checkLogFormat(e);
    return config;
  }

  /**
   * True when the id is a well-formed task id: 1 to {@value #MAX_TASK_ID} ASCII letters, digits and
   * {@code . _ : @ -}, starting with a letter or digit. Read by hand: it runs on every write, and a
   * regex match was 0.8 % of the event loop in a profile of 1-point ingest.
   */
  public static boolean isValidTaskId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_TASK_ID || !isAsciiAlnum(id.charAt(0))) {
      return false;
    }
    for (int i = 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!isAsciiAlnum(c) && c != '.' && c != '_' && c != ':' && c != '@' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiAlnum(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }

  public VizConfig withDataDir(Path dir) {
    return new VizConfig(
        host,
        port,
        dir,
        demo,
        defaultTask,
        fsync,
        maxBodyBytes,
        retainFrames,
        retainTime,
        sessionQueueBytes,
        maxWindowsPerTask,
        maxPointsPerWindow,
        lostAfter,
        user,
        snapshotBytes,
        auth,
        wsCompression,
        eventLoops,
        journalTime);
  }

  public VizConfig withLostAfter(Duration after) {
    return new VizConfig(
        host,
        port,
        dataDir,
        demo,
        defaultTask,
        fsync,
        maxBodyBytes,
        retainFrames,
        retainTime,
        sessionQueueBytes,
        maxWindowsPerTask,
        maxPointsPerWindow,
        after,
        user,
        snapshotBytes,
        auth,
        wsCompression,
        eventLoops,
        journalTime);
  }

  public VizConfig withEventLoops(int loops) {
    return new VizConfig(
        host,
        port,
        dataDir,
        demo,
        defaultTask,
        fsync,
        maxBodyBytes,
        retainFrames,
        retainTime,
        sessionQueueBytes,
        maxWindowsPerTask,
        maxPointsPerWindow,
        lostAfter,
        user,
        snapshotBytes,
        auth,
        wsCompression,
        loops,
        journalTime);
  }

  /**
   * {@code VIZRELAY_LOG_FORMAT}: read by the jar's LogSetup and the service jars' logback.xml;
   * checked.
   */
  static void checkLogFormat(EnvVars e) {
    String format = e.string("VIZRELAY_LOG_FORMAT", "text");
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("VIZRELAY_LOG_FORMAT must be text or json, was " + format);
    }
  }

  private void validate() {
    auth.validate(host);
    if (!isValidTaskId(defaultTask)) {
      throw new IllegalArgumentException(
          "VIZRELAY_DEFAULT_TASK is not a valid task id: " + defaultTask);
    }
  }
}
