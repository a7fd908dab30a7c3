package io.vizrelay.common.store.embedded;

import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.HotBound;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.HotMeters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the embedded store's tasks stay in memory. A sweeper thread, twice a second, asks the
 * shards to unload tasks that nobody watches and nobody used for {@link HotConfig#idle()}, then,
 * while the estimated hot state is above {@link HotConfig#maxBytes()}, the tasks {@link HotBound}
 * picks (unwatched first, least recently used first; the grid applies the same rule). The sweeper
 * only decides; the task's shard unloads, after checking again that the reason still holds. Also
 * keeps the figures the metrics show.
 */
public final class HotSet implements HotMeters.Figures {
  private static final Logger LOG = LoggerFactory.getLogger(HotSet.class);
  private static final long SWEEP_MS = 500;

  /** A reason to unload, checked again on the task's shard. */
  @FunctionalInterface
  interface Check {
    boolean holds(TaskSlot slot);
  }

  /** The bound's reason: the task was not used since the sweeper picked it. */
  private record UnusedSince(long seen) implements Check {
    @Override
    public boolean holds(TaskSlot slot) {
      return slot.lastUsedNanos == seen;
    }
  }

  private final HotConfig config;
  private final Map<String, TaskSlot> tasks;
  private final BiConsumer<String, Check> unload;
  private final Consumer<String> measure;
  private final Map<String, Integer> watchers = new ConcurrentHashMap<>();
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong unloads = new AtomicLong();
  private final AtomicLong boundUnloads = new AtomicLong();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "vizrelay-store-sweeper");
            t.setDaemon(true);
            return t;
          });
  private volatile LongConsumer loadTimes = nanos -> {};

  HotSet(
      HotConfig config,
      Map<String, TaskSlot> tasks,
      BiConsumer<String, Check> unload,
      Consumer<String> measure) {
    this.config = config;
    this.tasks = tasks;
    this.unload = unload;
    this.measure = measure;
  }

  void start() {
    sweeper.scheduleWithFixedDelay(this::sweepSafely, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    sweeper.shutdownNow();
  }

  /** Publishes the hot-state figures (docs/METRICS.md, {@link HotMeters}). */
  public void register(Metrics metrics) {
    this.loadTimes = HotMeters.register(metrics, this);
  }

  public HotConfig config() {
    return config;
  }

  /** Loaded tasks now. */
  @Override
  public int hotTasks() {
    int n = 0;
    for (TaskSlot s : tasks.values()) {
      n += s.hot() ? 1 : 0;
    }
    return n;
  }

  /** Estimated bytes of the loaded tasks' state now. */
  @Override
  public long hotBytes() {
    long n = 0;
    for (TaskSlot s : tasks.values()) {
      n += s.hot() ? s.stateBytes : 0;
    }
    return n;
  }

  /** Tasks loaded from the log since start. */
  @Override
  public long loads() {
    return loads.get();
  }

  /** Tasks unloaded since start because the hot state was past its bound. */
  @Override
  public long boundUnloads() {
    return boundUnloads.get();
  }

  /** Tasks unloaded since start. */
  @Override
  public long unloads() {
    return unloads.get();
  }

  void watch(String taskId) {
    watchers.merge(taskId, 1, Integer::sum);
    TaskSlot slot = tasks.get(taskId);
    if (slot != null) {
      slot.touch();
    }
  }

  void unwatch(String taskId) {
    watchers.computeIfPresent(taskId, (k, n) -> n <= 1 ? null : n - 1);
    TaskSlot slot = tasks.get(taskId);
    if (slot != null) {
      slot.touch();
    }
  }

  boolean watched(TaskSlot slot) {
    return watchers.containsKey(slot.taskId);
  }

  void loaded(TaskSlot slot, long nanos) {
    loads.incrementAndGet();
    loadTimes.accept(nanos);
    LOG.debug(
        "task loaded: task_id={} seq={} bytes={} ms={}",
        slot.taskId,
        slot.lastSeq,
        slot.stateBytes,
        nanos / 1_000_000);
    if (slot.stateBytes > 0 && hotBytes() > config.maxBytes()) {
      sweepSoon();
    }
  }

  void unloaded(TaskSlot slot) {
    unloaded(slot, null);
  }

  /** Counts an unload; {@code reason} is the check it was asked with (null: none). */
  void unloaded(TaskSlot slot, Check reason) {
    unloads.incrementAndGet();
    if (reason instanceof UnusedSince) {
      boundUnloads.incrementAndGet();
    }
    LOG.debug("task unloaded: task_id={} seq={}", slot.taskId, slot.lastSeq);
  }

  private void sweepSoon() {
    try {
      sweeper.execute(this::sweepSafely);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // closing
    }
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.error("hot-state sweep failed", e);
    }
  }

  /** One pass: unload idle tasks, then the least recently used ones while over the bound. */
  void sweep() {
    long now = System.nanoTime();
    long idle = config.idle().toNanos();
    List<HotBound.Hot<TaskSlot>> stay = new ArrayList<>();
    for (TaskSlot slot : tasks.values()) {
      if (!slot.hot()) {
        continue;
      }
      long measured = slot.lastMeasureNanos;
      if (slot.changedSinceMeasure && (measured == 0 || now - measured >= SWEEP_MS * 1_000_000L)) {
        // changed and not estimated lately (a written task's applies keep theirs fresh): a
        // re-estimate queued on the shard would send the shard's writes through its thread
        measure.accept(slot.taskId);
      }
      if (!watched(slot) && now - slot.lastUsedNanos >= idle) {
        unload.accept(slot.taskId, s -> !watched(s) && System.nanoTime() - s.lastUsedNanos >= idle);
      } else {
        stay.add(
            new HotBound.Hot<>(slot, slot.stateBytes, slot.lastUsedNanos, watched(slot), true));
      }
    }
    for (HotBound.Hot<TaskSlot> over : HotBound.overBound(stay, config.maxBytes())) {
      TaskSlot slot = over.key();
      unload.accept(slot.taskId, new UnusedSince(over.lastUsed()));
    }
  }
}
