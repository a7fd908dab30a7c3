package io.vizrelay.taskinfo;

import io.vizrelay.common.config.EnvVars;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the task registry that {@link io.vizrelay.common.config.VizConfig} does not hold,
 * read from environment variables. (The lost-after time itself is {@code VizConfig.lostAfter()},
 * {@code VIZRELAY_LOST_AFTER_SECONDS}, default 60.)
 *
 * @param lostCheck how often running tasks are checked for silence ({@code VIZRELAY_LOST_CHECK_MS},
 *     default {@value #DEFAULT_LOST_CHECK_MS}); a task becomes lost at most this long after
 *     lost-after
 * @param maxTasksPerUser registered tasks one user may have, whatever their status ({@code
 *     VIZRELAY_MAX_TASKS_PER_USER}, default {@value #DEFAULT_MAX_TASKS_PER_USER}); beyond it a
 *     registration fails with 422 LIMIT_EXCEEDED
 * @param maxMetaBytes largest {@code meta} object, serialized ({@code
 *     VIZRELAY_MAX_TASK_META_BYTES}, default {@value #DEFAULT_MAX_META_BYTES}); beyond it 413
 *     PAYLOAD_TOO_LARGE
 */
public record TaskinfoConfig(Duration lostCheck, int maxTasksPerUser, int maxMetaBytes) {
  public static final int DEFAULT_LOST_CHECK_MS = 5_000;
  public static final int DEFAULT_MAX_TASKS_PER_USER = 1_000;
  public static final int DEFAULT_MAX_META_BYTES = 8 * 1024;

  public static TaskinfoConfig defaults() {
    return fromEnv(Map.of());
  }

  public static TaskinfoConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * Reads the settings; a malformed or out-of-range value fails with a message naming its variable.
   */
  public static TaskinfoConfig fromEnv(Map<String, String> env) {
    return new TaskinfoConfig(
        Duration.ofMillis(integer(env, "VIZRELAY_LOST_CHECK_MS", DEFAULT_LOST_CHECK_MS, 10)),
        integer(env, "VIZRELAY_MAX_TASKS_PER_USER", DEFAULT_MAX_TASKS_PER_USER, 1),
        integer(env, "VIZRELAY_MAX_TASK_META_BYTES", DEFAULT_MAX_META_BYTES, 2));
  }

  public TaskinfoConfig withLostCheck(Duration every) {
    return new TaskinfoConfig(every, maxTasksPerUser, maxMetaBytes);
  }

  public TaskinfoConfig withMaxTasksPerUser(int max) {
    return new TaskinfoConfig(lostCheck, max, maxMetaBytes);
  }

  private static int integer(Map<String, String> env, String key, int def, int min) {
    return new EnvVars(env).integer(key, def, min, Integer.MAX_VALUE);
  }
}
