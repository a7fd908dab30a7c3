package io.vizrelay.common.store.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vizrelay.common.store.HotBound;
import io.vizrelay.common.store.HotConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Eviction of the task map when PostgreSQL stands behind it ({@link TaskMapStore}), by the embedded
 * hot set's two rules. One per member: its sweeper looks at the tasks this member owns.
 *
 * <ul>
 *   <li><b>Idle</b> ({@link HotConfig#idle()}, {@code VIZRELAY_HOT_IDLE_SECONDS}): a task that no
 *       operation used for that long and that no browser session in the cluster watches is evicted.
 *   <li><b>Bound</b> ({@link HotConfig#maxBytes()}, {@code VIZRELAY_HOT_MAX_BYTES}): while the
 *       estimated bytes of the tasks this member owns are above it, the ones {@link HotBound} picks
 *       (unwatched first, least recently used first) are evicted; watched tasks never are.
 * </ul>
 *
 * A task is evicted only when it is safely in PostgreSQL: every frame committed (sync mode, or a
 * write behind that landed) and none on its way ({@code busy}). Eviction is {@link IMap#evict}:
 * primary and backups leave the grid, PostgreSQL is untouched, and the next operation loads the
 * task back through the {@code MapLoader}, serialized with every other operation on it. The
 * footprint is measured by a read-only entry processor on the partition thread ({@link UsageOf});
 * the sweeper's decision may be stale by the time it evicts, which costs at most a reload (the
 * task's data is in PostgreSQL either way).
 *
 * <p>Watching is cluster-wide: each node's {@link ClusterTaskStore} keeps a lease per task its
 * browsers watch in {@value #WATCHED} (renewed while watched, expiring {@link #leaseSeconds} after
 * the last session closed or its node went), and a task with a lease is never evicted.
 */
public final class GridEviction implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GridEviction.class);
  private static final String KEY = "vizrelay.gridEviction";

  /** How often the bound is checked (as the embedded hot set's sweeper). */
  static final long BOUND_SWEEP_MS = 500;

  /** In the member's user context from its configuration on: the idle time in ms. */
  private static final String IDLE_MS = "vizrelay.gridEviction.idleMs";

  /** Map of watch leases: task id -> the node that renewed it last, with a time to live. */
  public static final String WATCHED = "vizrelay.watched";

  private final HazelcastInstance member;
  private final long idleMs;
  private final long maxBytes;
  private final boolean writeBehind;
  private final Predicate<String> busy;
  private final GridResidency residency;
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "vizrelay-grid-eviction");
            t.setDaemon(true);
            return t;
          });

  /**
   * Marks a member's configuration as evicting idle tasks by {@code hot}'s rule, so that its stores
   * keep watch leases from the start ({@link #enabled}).
   */
  public static void configure(Config config, HotConfig hot) {
    config.getUserContext().put(IDLE_MS, hot.idle().toMillis());
  }

  /**
   * Starts the sweeper of {@code member}; {@code busy} says a task still has writes on their way
   * behind the grid, {@code writeBehind} that the member commits asynchronously (a task it did not
   * write itself may then lack frames in PostgreSQL, and is not evicted).
   */
  static GridEviction start(
      HazelcastInstance member,
      HotConfig hot,
      boolean writeBehind,
      Predicate<String> busy,
      GridResidency residency) {
    GridEviction e = new GridEviction(member, hot, writeBehind, busy, residency);
    member.getUserContext().put(KEY, e);
    long period = e.sweepMillis();
    e.sweeper.scheduleWithFixedDelay(e::sweepSafely, period, period, TimeUnit.MILLISECONDS);
    return e;
  }

  private GridEviction(
      HazelcastInstance member,
      HotConfig hot,
      boolean writeBehind,
      Predicate<String> busy,
      GridResidency residency) {
    this.member = member;
    this.idleMs = hot.idle().toMillis();
    this.maxBytes = hot.maxBytes();
    this.writeBehind = writeBehind;
    this.busy = busy;
    this.residency = residency;
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

  /** Half the idle time (0.25-30 s); at most {@link #BOUND_SWEEP_MS} when a bound is set. */
  private long sweepMillis() {
    long idle = Math.max(250, Math.min(30_000, idleMs / 2));
    return maxBytes == Long.MAX_VALUE ? idle : Math.min(idle, BOUND_SWEEP_MS);
  }

  /** Tasks this member evicted since start (idle or past the bound). */
  public long evictions() {
    return residency.unloads();
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

  /** One pass over the tasks this member owns: the idle ones go, then the bound is enforced. */
  void sweep() {
    IMap<String, StoredTask> tasks = member.getMap(ClusterTaskStore.MAP);
    Set<String> owned = tasks.localKeySet();
    if (owned.isEmpty()) {
      residency.measured(0, 0);
      return;
    }
    Set<String> watched = Set.copyOf(member.<String, String>getMap(WATCHED).keySet());
    Map<String, Usage> usage = tasks.executeOnKeys(owned, new UsageOf(writeBehind));
    List<HotBound.Hot<String>> stay = evictIdle(tasks, usage, watched);
    long bytes = HotBound.total(stay);
    int count = stay.size();
    for (HotBound.Hot<String> over : HotBound.overBound(stay, maxBytes)) {
      if (evict(tasks, over.key(), true)) {
        bytes -= over.bytes();
        count--;
      }
    }
    residency.measured(count, bytes);
  }

  /** Evicts the idle unwatched tasks; returns the others as the bound sees them. */
  private List<HotBound.Hot<String>> evictIdle(
      IMap<String, StoredTask> tasks, Map<String, Usage> usage, Set<String> watched) {
    long now = System.currentTimeMillis();
    List<HotBound.Hot<String>> stay = new ArrayList<>(usage.size());
    for (Map.Entry<String, Usage> e : usage.entrySet()) {
      String taskId = e.getKey();
      Usage u = e.getValue();
      if (u == null) {
        continue;
      }
      boolean isWatched = watched.contains(taskId);
      boolean unloadable = u.evictable && !isWatched;
      if (unloadable && now - u.usedAtMs >= idleMs && evict(tasks, taskId, false)) {
        continue;
      }
      stay.add(new HotBound.Hot<>(taskId, u.bytes, u.usedAtMs, isWatched, unloadable));
    }
    return stay;
  }

  private boolean evict(IMap<String, StoredTask> tasks, String taskId, boolean overBound) {
    if (busy.test(taskId) || !tasks.evict(taskId)) {
      return false;
    }
    residency.evicted(overBound);
    LOG.debug("task {} evicted from the grid ({})", taskId, overBound ? "past the bound" : "idle");
    return true;
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    member.getUserContext().remove(KEY, this);
  }

  /** What the sweeper needs of one task. */
  public static final class Usage implements DataSerializable {
    long bytes;
    long usedAtMs;

    /** Not a diverged replica, and every frame known committed in PostgreSQL. */
    boolean evictable;

    public Usage() {}

    Usage(long bytes, long usedAtMs, boolean evictable) {
      this.bytes = bytes;
      this.usedAtMs = usedAtMs;
      this.evictable = evictable;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(bytes);
      out.writeLong(usedAtMs);
      out.writeBoolean(evictable);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      bytes = in.readLong();
      usedAtMs = in.readLong();
      evictable = in.readBoolean();
    }
  }

  /**
   * A task's footprint, last use and whether it may leave the grid, on its owner (read-only, no
   * backup, nothing loaded: the sweeper asks only for keys in memory).
   */
  public static final class UsageOf
      implements EntryProcessor<String, StoredTask, Usage>, DataSerializable, ReadOnly {
    private boolean writeBehind;

    public UsageOf() {}

    UsageOf(boolean writeBehind) {
      this.writeBehind = writeBehind;
    }

    @Override
    public Usage process(Map.Entry<String, StoredTask> entry) {
      StoredTask task = entry.getValue();
      if (task == null) {
        return null;
      }
      return new Usage(task.footprint(), task.usedAtMs, !task.diverged && committed(task));
    }

    /**
     * Whether PostgreSQL holds every frame: this member committed up to the last seq, or (sync
     * mode) the task came from another member, which committed each frame before it was
     * acknowledged.
     */
    private boolean committed(StoredTask task) {
      return task.pgSeq == task.lastSeq || (!writeBehind && task.pgSeq == TaskMapStore.UNKNOWN);
    }

    @Override
    public EntryProcessor<String, StoredTask, Usage> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(writeBehind);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      writeBehind = in.readBoolean();
    }
  }
}
