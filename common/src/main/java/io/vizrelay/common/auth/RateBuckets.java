package io.vizrelay.common.auth;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vizrelay.common.store.cluster.GridCall;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets of the request limits: the ingest rate per credential ({@value #INGEST}), sign-in
 * attempts per client address ({@value #LOGIN_ADDRESS}) and per account ({@value #LOGIN_ACCOUNT}).
 * In one process ({@link #local}) the buckets are in memory. In a cluster ({@link #grid}) there is
 * one bucket per key for the whole cluster, in the grid map {@value #MAP}: each request takes a
 * token with an entry processor on the bucket's partition owner, so three replicas allow the limit
 * once, not three times. The caller's clock is a field of the processor (the synchronous backup
 * computes the same bucket; a clock behind the bucket's counts as no time passed), and a bucket
 * left alone until it would be full again expires. If the grid does not answer, the node's own
 * bucket decides (fail open to per-node counting: requests keep working while the grid is in
 * trouble; logged).
 */
abstract class RateBuckets {
  private static final Logger LOG = LoggerFactory.getLogger(RateBuckets.class);

  /** The grid map of the buckets: prefixed key to {tokens, last update (epoch ms)}. */
  static final String MAP = "vizrelay.auth.rate";

  static final String INGEST = "ingest:";
  static final String LOGIN_ADDRESS = "login-address:";
  static final String LOGIN_ACCOUNT = "login-account:";

  /** One kind of bucket: its key prefix, its sustained rate per second, its burst. */
  record Limit(String prefix, double ratePerSecond, double burst) {}

  /**
   * 0 when a request counted under {@code limit} and {@code key} may pass now, else the seconds to
   * wait (≥ 1).
   */
  abstract Future<Long> take(Limit limit, String key);

  /** The grid's buckets when {@code vertx} is clustered, else the in-memory ones. */
  static RateBuckets of(Vertx vertx) {
    if (vertx != null
        && vertx.isClustered()
        && ((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hz) {
      return grid(hz.getHazelcastInstance());
    }
    return local();
  }

  /** In-memory buckets of this process. */
  static RateBuckets local() {
    Map<Limit, RateLimiter> limiters = new ConcurrentHashMap<>();
    return new RateBuckets() {
      @Override
      Future<Long> take(Limit limit, String key) {
        RateLimiter limiter =
            limiters.computeIfAbsent(limit, l -> new RateLimiter(l.ratePerSecond(), l.burst()));
        return Future.succeededFuture(limiter.acquire(key, System.nanoTime()));
      }
    };
  }

  /** One bucket per key for the cluster; the node's own buckets when the grid does not answer. */
  static RateBuckets grid(HazelcastInstance hz) {
    IMap<String, double[]> buckets = hz.getMap(MAP);
    RateBuckets fallback = local();
    return new RateBuckets() {
      @Override
      Future<Long> take(Limit limit, String key) {
        Take take = new Take(limit.ratePerSecond(), limit.burst(), System.currentTimeMillis());
        return submit(limit.prefix() + key, take)
            .recover(
                err -> {
                  LOG.warn(
                      "{} limit not counted in the grid, counted on this node only: {}",
                      limit.prefix(),
                      err.toString());
                  return fallback.take(limit, key);
                });
      }

      private Future<Long> submit(String key, Take take) {
        try {
          return GridCall.of(buckets.submitToKey(key, take), "the rate limit");
        } catch (RuntimeException notActive) {
          return Future.failedFuture(GridCall.translate(notActive, "the rate limit"));
        }
      }
    };
  }

  /** Takes one token from a bucket (on its partition owner, and on the backup). */
  public static final class Take
      implements EntryProcessor<String, double[], Long>, DataSerializable {
    private double rate;
    private double burst;
    private long now;

    public Take() {}

    Take(double rate, double burst, long now) {
      this.rate = rate;
      this.burst = burst;
      this.now = now;
    }

    @Override
    public Long process(Map.Entry<String, double[]> entry) {
      double[] b = entry.getValue();
      double tokens = b == null ? burst : b[0];
      double last = b == null ? now : b[1];
      tokens = Math.min(burst, tokens + Math.max(0, now - last) / 1000.0 * rate);
      long wait = 0;
      if (tokens >= 1) {
        tokens -= 1;
      } else {
        wait = Math.max(1, (long) Math.ceil((1 - tokens) / rate));
      }
      long refill = (long) Math.ceil((burst - tokens) / rate * 1000) + 1000;
      double[] next = {tokens, Math.max(last, now)};
      if (entry instanceof ExtendedMapEntry<String, double[]> extended) {
        extended.setValue(next, refill, TimeUnit.MILLISECONDS);
      } else {
        entry.setValue(next);
      }
      return wait;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeDouble(rate);
      out.writeDouble(burst);
      out.writeLong(now);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      rate = in.readDouble();
      burst = in.readDouble();
      now = in.readLong();
    }
  }
}
