package io.vizrelay.common.store.cluster;

import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.HotMeters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * This member's share of the task map as the hot-state meters show it (docs/METRICS.md): the tasks
 * it owns and their estimated bytes (as of {@link GridEviction}'s last sweep), tasks loaded back
 * from PostgreSQL ({@link TaskMapStore#load}) and tasks evicted, idle or past the bound. One per
 * member with PostgreSQL behind its grid.
 */
public final class GridResidency implements HotMeters.Figures {
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong unloads = new AtomicLong();
  private final AtomicLong boundUnloads = new AtomicLong();
  private volatile int hotTasks;
  private volatile long hotBytes;
  private volatile LongConsumer loadTimes = nanos -> {};

  /** Publishes the figures under the embedded tier's names ({@link HotMeters}). */
  public void register(Metrics metrics) {
    loadTimes = HotMeters.register(metrics, this);
  }

  @Override
  public int hotTasks() {
    return hotTasks;
  }

  @Override
  public long hotBytes() {
    return hotBytes;
  }

  @Override
  public long loads() {
    return loads.get();
  }

  @Override
  public long unloads() {
    return unloads.get();
  }

  @Override
  public long boundUnloads() {
    return boundUnloads.get();
  }

  void loaded(long nanos) {
    loads.incrementAndGet();
    loadTimes.accept(nanos);
  }

  void evicted(boolean overBound) {
    unloads.incrementAndGet();
    if (overBound) {
      boundUnloads.incrementAndGet();
    }
  }

  void measured(int tasks, long bytes) {
    hotTasks = tasks;
    hotBytes = bytes;
  }
}
