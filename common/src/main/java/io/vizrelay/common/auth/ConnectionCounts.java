package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open sockets of one {@link Kind} per user, bounded by {@code VIZRELAY_MAX_CONNECTIONS_PER_USER}:
 * for the whole cluster when the process is clustered ({@link ConnectionGrid}), else for this
 * process. {@link #acquire} hands out a {@link Lease}; releasing it more than once counts once, so
 * every close path (close frame, TCP drop, server close, failed upgrade) may release it. When the
 * grid does not answer a claim, this process's own count decides (fail open to per-node counting;
 * logged).
 */
public final class ConnectionCounts {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionCounts.class);

  /** The two sockets counted apart: browsers' {@code /socket}, jobs' {@code /vis_socket}. */
  public enum Kind {
    BROWSER("browser", "sockets"),
    JOB("job", "vis_sockets");

    private final String key;
    private final String noun;

    Kind(String key, String noun) {
      this.key = key;
      this.noun = noun;
    }

    /** The grid key of a user's count: {@code browser:<user>} or {@code job:<user>}. */
    String key(String user) {
      return key + ":" + user;
    }
  }

  private final Kind kind;
  private final boolean enabled;
  private final int max;
  private final ConnectionGrid grid;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

  /** Counted by this process alone. */
  ConnectionCounts(Kind kind, boolean enabled, int max) {
    this(kind, enabled, max, null);
  }

  /** Counted in {@code grid} (null: by this process alone). */
  ConnectionCounts(Kind kind, boolean enabled, int max, ConnectionGrid grid) {
    this.kind = kind;
    this.enabled = enabled;
    this.max = max;
    this.grid = grid;
  }

  /** One counted socket; {@link #release} is idempotent. */
  public final class Lease {
    private final String user;
    private final boolean inGrid;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(String user, boolean inGrid) {
      this.user = user;
      this.inGrid = inGrid;
    }

    public void release() {
      if (user == null || !released.compareAndSet(false, true)) {
        return;
      }
      open.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
      if (inGrid) {
        grid.release(kind.key(user))
            .onFailure(
                err ->
                    LOG.warn(
                        "a {} socket of {} was not given back in the grid (counted until this"
                            + " member leaves): {}",
                        kind.key,
                        user,
                        err.toString()));
      }
    }
  }

  /**
   * A lease for one more socket of the principal's user; a failed future ({@code 429
   * TOO_MANY_REQUESTS}) when the user is at the limit.
   */
  public Future<Lease> acquire(Principal p) {
    if (!enabled) {
      return Future.succeededFuture(new Lease(null, false));
    }
    String user = p.userId();
    if (grid == null) {
      return countHere(user);
    }
    return grid.claim(kind.key(user), max)
        .transform(
            ar -> {
              if (ar.failed()) {
                LOG.warn(
                    "{} socket of {} not counted in the grid, counted on this node only: {}",
                    kind.key,
                    user,
                    ar.cause().toString());
                return countHere(user);
              }
              if (!ar.result()) {
                return refused(user);
              }
              open.computeIfAbsent(user, u -> new AtomicInteger()).incrementAndGet();
              return Future.succeededFuture(new Lease(user, true));
            });
  }

  /** Counts the socket in this process only (embedded, or the grid did not answer). */
  private Future<Lease> countHere(String user) {
    boolean[] granted = new boolean[1];
    open.compute(
        user,
        (u, n) -> {
          AtomicInteger count = n == null ? new AtomicInteger() : n;
          granted[0] = count.get() < max;
          if (granted[0]) {
            count.incrementAndGet();
          }
          return count.get() == 0 ? null : count;
        });
    return granted[0] ? Future.succeededFuture(new Lease(user, false)) : refused(user);
  }

  private Future<Lease> refused(String user) {
    return Future.failedFuture(
        new ApiException(
            ErrorCode.TOO_MANY_REQUESTS, "too many open " + kind.noun + " for user " + user));
  }

  /** Sockets the user holds on this process now. */
  public int open(String user) {
    AtomicInteger n = open.get(user);
    return n == null ? 0 : n.get();
  }

  /** Sockets the user holds in the whole cluster (this process's count when not clustered). */
  public Future<Integer> openInCluster(String user) {
    return grid == null ? Future.succeededFuture(open(user)) : grid.total(kind.key(user));
  }
}
