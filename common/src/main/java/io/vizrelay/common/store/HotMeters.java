package io.vizrelay.common.store;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.vizrelay.common.metrics.Metrics;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The hot-state meters of a store tier (docs/METRICS.md): the same names and meanings for the
 * embedded hot set and for a cluster member's share of the grid with PostgreSQL behind it.
 */
public final class HotMeters {
  private HotMeters() {}

  /** What a tier reports, read at scrape time. */
  public interface Figures {
    /** Tasks whose state is in memory (the grid: owned by this member). */
    int hotTasks();

    /** Their estimated heap. */
    long hotBytes();

    /** Cold tasks loaded since start. */
    long loads();

    /** Tasks unloaded since start, for any reason. */
    long unloads();

    /** Of those, the ones unloaded because the hot state was past its bound ({@link HotBound}). */
    long boundUnloads();
  }

  /**
   * Registers {@code vizrelay_store_hot_tasks}, {@code _hot_bytes}, {@code _loads_total}, {@code
   * _unloads_total}, {@code _unloads_bound_total} and {@code _load_seconds}; returns where to
   * record a load's time in nanoseconds.
   */
  public static LongConsumer register(Metrics metrics, Figures figures) {
    metrics.gauge("vizrelay.store.hot.tasks", "tasks whose state is in memory", figures::hotTasks);
    metrics.gauge(
        "vizrelay.store.hot.bytes",
        "estimated heap of the loaded tasks' state (bound: VIZRELAY_HOT_MAX_BYTES)",
        figures::hotBytes);
    FunctionCounter.builder("vizrelay.store.loads", figures, Figures::loads)
        .description(
            "cold tasks loaded back into memory (embedded log, or PostgreSQL behind the grid)")
        .register(metrics.registry());
    FunctionCounter.builder("vizrelay.store.unloads", figures, Figures::unloads)
        .description("tasks unloaded from memory (idle, or past the memory bound)")
        .register(metrics.registry());
    FunctionCounter.builder("vizrelay.store.unloads.bound", figures, Figures::boundUnloads)
        .description("tasks unloaded from memory because the hot state was past its bound")
        .register(metrics.registry());
    Timer loadTime =
        metrics.histogram(
            "vizrelay.store.load", "time to load a cold task (snapshot plus later frames)");
    return nanos -> loadTime.record(nanos, TimeUnit.NANOSECONDS);
  }
}
