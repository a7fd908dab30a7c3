package io.vizrelay.common.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The memory bound of hot task state ({@code VIZRELAY_HOT_MAX_BYTES}, {@link HotConfig#maxBytes}),
 * one rule for both store tiers: the embedded hot set ({@code store/embedded/HotSet}) and the
 * grid's eviction with PostgreSQL behind it ({@code store/cluster/GridEviction}). While the loaded
 * tasks' estimated bytes are above the bound, tasks are unloaded <b>unwatched first</b>, then
 * <b>least recently used first</b>, until the rest fits. A task a tier may not unload now (the
 * grid: watched, or with writes not yet in PostgreSQL) counts towards the total but is skipped.
 */
public final class HotBound {
  private HotBound() {}

  /**
   * One loaded task as the bound sees it.
   *
   * @param key what the tier unloads it by (a task id, a slot)
   * @param bytes its estimated heap ({@link StateSize} plus what the tier keeps beside the state)
   * @param lastUsed when an operation last used it, on any clock that only grows
   * @param watched whether a browser session watches it
   * @param unloadable whether the tier may unload it now
   */
  public record Hot<K>(K key, long bytes, long lastUsed, boolean watched, boolean unloadable) {}

  /** The estimated bytes of {@code hot}. */
  public static <K> long total(Collection<Hot<K>> hot) {
    long n = 0;
    for (Hot<K> h : hot) {
      n += h.bytes();
    }
    return n;
  }

  /**
   * The tasks to unload, in the order to unload them, so that the others fit in {@code maxBytes}
   * (or, when the tasks that may not be unloaded are already too big, every one that may).
   */
  public static <K> List<Hot<K>> overBound(Collection<Hot<K>> hot, long maxBytes) {
    long total = total(hot);
    List<Hot<K>> out = new ArrayList<>();
    if (total <= maxBytes) {
      return out;
    }
    for (Hot<K> h : byUnloadOrder(hot)) {
      if (total <= maxBytes) {
        break;
      }
      if (h.unloadable()) {
        out.add(h);
        total -= h.bytes();
      }
    }
    return out;
  }

  private static <K> List<Hot<K>> byUnloadOrder(Collection<Hot<K>> hot) {
    List<Hot<K>> order = new ArrayList<>(hot);
    order.sort(Comparator.comparing((Hot<K> h) -> h.watched()).thenComparingLong(Hot::lastUsed));
    return order;
  }
}
