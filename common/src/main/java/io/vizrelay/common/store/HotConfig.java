package io.vizrelay.common.store;

import io.vizrelay.common.config.EnvVars;
import java.time.Duration;
import java.util.Map;

/**
 * How much task state a store tier keeps in memory (README "Configuration"): the embedded store's
 * hot set, and the grid when PostgreSQL stands behind it (idle unwatched tasks, and past the bound
 * the least recently used unwatched ones, are evicted from the grid and loaded back on access).
 *
 * @param idle a task with no open browser session and no operation for this long is unloaded
 *     ({@code VIZRELAY_HOT_IDLE_SECONDS}, default 300)
 * @param maxBytes bound of the estimated state of loaded tasks; past it the least recently used
 *     unwatched tasks are unloaded first ({@link HotBound}; {@code VIZRELAY_HOT_MAX_BYTES}, default
 *     ¼ of the max heap). In the grid, per member: the tasks it owns.
 */
public record HotConfig(Duration idle, long maxBytes) {

  public static HotConfig defaults() {
    return fromEnv(Map.of());
  }

  public static HotConfig fromEnv(Map<String, String> env) {
    EnvVars e = new EnvVars(env);
    long quarterHeap = Runtime.getRuntime().maxMemory() / 4;
    String max = e.string("VIZRELAY_HOT_MAX_BYTES", null);
    long maxBytes;
    try {
      maxBytes = max == null ? quarterHeap : Long.parseLong(max);
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException("VIZRELAY_HOT_MAX_BYTES must be an integer, was " + max);
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException("VIZRELAY_HOT_MAX_BYTES must be >= 0, was " + max);
    }
    return new HotConfig(
        Duration.ofSeconds(e.integer("VIZRELAY_HOT_IDLE_SECONDS", 300, 0, Integer.MAX_VALUE)),
        maxBytes);
  }
}
