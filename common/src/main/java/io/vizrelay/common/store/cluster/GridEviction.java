package io.vizrelay.common.store.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vizrelay.common.store.HotConfig;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle eviction of the task map when something stands behind it (PostgreSQL, {@link TaskMapStore}):
 * by the embedded hot set's rule ({@link HotConfig#idle()}, {@code VIZRELAY_HOT_IDLE_SECONDS}), a
 * task that no operation used for that long and that no browser session in the cluster watches is
 * evicted from the grid (primary and backups, the store behind it untouched); its next operation
 * loads it back through the {@code MapLoader}, serialized with every other operation on it. One per
 * member: its sweeper looks at the tasks this member owns.
 *
 * <p>Watching is cluster-wide: each node's {@link ClusterTaskStore} keeps a lease per task its
 * browsers watch in {@value #WATCHED} (renewed while watched, expiring {@link #leaseSeconds} after
 * the last session closed or its node went), and a task with a lease is never evicted.
 */
public final class GridEviction implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GridEviction.class);
  private static final String KEY = "vizrelay.gridEviction";

  /** In the member's user context from its configuration on: the idle time in ms. */
  private static final String IDLE_MS = "vizrelay.gridEviction.idleMs";

  /** Map of watch leases: task id -> the node that renewed it last, with a time to live. */
  public static final String WATCHED = "vizrelay.watched";

  private final HazelcastInstance member;
  private final long idleMs;
  private final Predicate<String> busy;
  private final AtomicLong evictions = new AtomicLong();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "vizrelay-grid-eviction");
            t.setDaemon(true);
            return t;
          });

  /**
   * Starts the sweeper of {@code member}; {@code busy} says a task still has writes on their way
   * behind the grid (it is not evicted then).
   */
  /**
   * Marks a member's configuration as evicting idle tasks by {@code hot}'s rule, so that its stores
   * keep watch leases from the start ({@link #enabled}).
   */
  public static void configure(Config config, HotConfig hot) {
    config.getUserContext().put(IDLE_MS, hot.idle().toMillis());
  }

  static GridEviction start(HazelcastInstance member, HotConfig hot, Predicate<String> busy) {
    GridEviction e = new GridEviction(member, hot.idle().toMillis(), busy);
    member.getUserContext().put(KEY, e);
    long period = sweepMillis(e.idleMs);
    e.sweeper.scheduleWithFixedDelay(e::sweepSafely, period, period, TimeUnit.MILLISECONDS);
    return e;
  }

  private GridEviction(HazelcastInstance member, long idleMs, Predicate<String> busy) {
    this.member = member;
    this.idleMs = idleMs;
    this.busy = busy;
  }

  /** Whether {@code member} evicts idle tasks (then its store keeps watch leases). */
  static boolean enabled(HazelcastInstance member) {
    return member.getUserContext().get(IDLE_MS) instanceof Long;
  }

  /** How long a watch lease lives without renewal; renewed every third of it. */
  static long leaseSeconds(HazelcastInstance member) {
    long idle = member.getUserContext().get(IDLE_MS) instanceof Long ms ? ms : 0;
    return Math.max(3, Math.min(60, idle / 2000));
  }

  private static long sweepMillis(long idleMs) {
    return Math.max(250, Math.min(30_000, idleMs / 2));
  }

  /** Tasks this member evicted since start. */
  public long evictions() {
    return evictions.get();
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      if (member.getLifecycleService().isRunning()) {
        LOG.warn("grid eviction sweep failed: {}", e.toString());
      }
    }
  }

  /** One pass over the tasks this member owns. */
  void sweep() {
    IMap<String, StoredTask> tasks = member.getMap(ClusterTaskStore.MAP);
    Set<String> owned = tasks.localKeySet();
    if (owned.isEmpty()) {
      return;
    }
    IMap<String, String> watched = member.getMap(WATCHED);
    Map<String, Boolean> idle = tasks.executeOnKeys(owned, new IdleFor(idleMs));
    for (Map.Entry<String, Boolean> e : idle.entrySet()) {
      String taskId = e.getKey();
      if (Boolean.TRUE.equals(e.getValue())
          && !busy.test(taskId)
          && !watched.containsKey(taskId)
          && tasks.evict(taskId)) {
        evictions.incrementAndGet();
        LOG.debug("task {} evicted from the grid (idle, unwatched)", taskId);
      }
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    member.getUserContext().remove(KEY, this);
  }

  /** Whether the task went unused for the given time on its owner (read-only, no backup). */
  public static final class IdleFor
      implements EntryProcessor<String, StoredTask, Boolean>, DataSerializable, ReadOnly {
    private long idleMs;

    public IdleFor() {}

    IdleFor(long idleMs) {
      this.idleMs = idleMs;
    }

    @Override
    public Boolean process(Map.Entry<String, StoredTask> entry) {
      StoredTask task = entry.getValue();
      return task != null && !task.diverged && System.currentTimeMillis() - task.usedAtMs >= idleMs;
    }

    @Override
    public EntryProcessor<String, StoredTask, Boolean> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(idleMs);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      idleMs = in.readLong();
    }
  }
}
