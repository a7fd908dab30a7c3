package io.vizrelay.common.auth;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys file, re-read when it changes (checked every {@link #CHECK_MS} ms off the event
 * loop: modification time, size and file key), so a key removed with {@code UsersCli apikey revoke}
 * or added is in effect within a second on every process that reads that file. A file that fails to
 * parse keeps the keys read before (logged).
 */
final class KeyFileWatch implements Supplier<ApiKeys> {
  static final long CHECK_MS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(KeyFileWatch.class);

  private final Path file;
  private volatile ApiKeys keys;
  private volatile String stamp;

  private KeyFileWatch(Path file, ApiKeys keys, String stamp) {
    this.file = file;
    this.keys = keys;
    this.stamp = stamp;
  }

  /** Reads {@code file} now (blocking) and re-reads it on change from then on. */
  static Supplier<ApiKeys> start(Vertx vertx, Path file) throws java.io.IOException {
    String stamp = stamp(file);
    KeyFileWatch watch = new KeyFileWatch(file, ApiKeys.load(file), stamp);
    vertx.setPeriodic(
        CHECK_MS,
        t ->
            vertx
                .executeBlocking(
                    () -> {
                      watch.check();
                      return null;
                    })
                .otherwiseEmpty());
    return watch;
  }

  private void check() {
    try {
      String now = stamp(file);
      if (!now.equals(stamp)) {
        keys = ApiKeys.load(file);
        stamp = now;
        LOG.info("API keys re-read from {}", file);
      }
    } catch (Exception e) {
      LOG.warn("API keys file {} not re-read, the keys read before stay: {}", file, e.toString());
    }
  }

  private static String stamp(Path file) throws java.io.IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return a.lastModifiedTime() + "/" + a.size() + "/" + a.fileKey();
  }

  @Override
  public ApiKeys get() {
    return keys;
  }
}
