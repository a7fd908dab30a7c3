package io.vizrelay.common.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open sockets of one kind per user on this process, bounded by {@code
 * VIZRELAY_MAX_CONNECTIONS_PER_USER}. {@link #acquire} hands out a {@link Lease}; releasing it more
 * than once counts once, so every close path (close frame, TCP drop, server close, failed upgrade)
 * may release it.
 */
public final class ConnectionCounts {
  private final boolean enabled;
  private final int max;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

  ConnectionCounts(boolean enabled, int max) {
    this.enabled = enabled;
    this.max = max;
  }

  /** One counted socket; {@link #release} is idempotent. */
  public final class Lease {
    private final String user;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(String user) {
      this.user = user;
    }

    public void release() {
      if (user != null && released.compareAndSet(false, true)) {
        open.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
    }
  }

  /** A lease for one more socket of the principal's user, or null when the user is at the limit. */
  public Lease acquire(Principal p) {
    if (!enabled) {
      return new Lease(null);
    }
    boolean[] granted = new boolean[1];
    open.compute(
        p.userId(),
        (u, n) -> {
          AtomicInteger count = n == null ? new AtomicInteger() : n;
          granted[0] = count.get() < max;
          if (granted[0]) {
            count.incrementAndGet();
          }
          return count.get() == 0 ? null : count;
        });
    return granted[0] ? new Lease(p.userId()) : null;
  }

  /** Sockets the user holds now. */
  public int open(String user) {
    AtomicInteger n = open.get(user);
    return n == null ? 0 : n.get();
  }
}
