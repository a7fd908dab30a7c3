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
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest rate per credential: a token bucket of {@code rate} requests per second, bursts of
 * twice that. In one process ({@link #local}) the buckets are in memory, as before. In a cluster
 * ({@link #grid}) there is one bucket per credential for the whole cluster, in the grid map {@value
 * #MAP}: each request takes a token with an entry processor on the bucket's partition owner, so
 * three replicas allow the limit once, not three times. The caller's clock is a field of the
 * processor (the synchronous backup computes the same bucket; a clock behind the bucket's counts as
 * no time passed), and a bucket left alone until it would be full again expires. If the grid does
 * not answer, the request passes (fail open: ingest keeps working while the grid is in trouble;
 * logged).
 */
abstract class IngestRate {
  private static final Logger LOG = LoggerFactory.getLogger(IngestRate.class);

  /** The grid map of the buckets: credential to {tokens, last update (epoch ms)}. */
  static final String MAP = "vizrelay.auth.rate";

  /** 0 when a request of {@code credential} may pass now, else the seconds to wait (≥ 1). */
  abstract Future<Long> acquire(String credential);

  /** The grid's limit when {@code vertx} is clustered, else the in-memory one. */
  static IngestRate of(Vertx vertx, int ratePerSecond) {
    if (vertx.isClustered()
        && ((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hz) {
      return grid(hz.getHazelcastInstance(), ratePerSecond);
    }
    return local(ratePerSecond);
  }

  static IngestRate local(int ratePerSecond) {
    RateLimiter limiter = new RateLimiter(ratePerSecond);
    return new IngestRate() {
      @Override
      Future<Long> acquire(String credential) {
        return Future.succeededFuture(limiter.acquire(credential, System.nanoTime()));
      }
    };
  }

  static IngestRate grid(HazelcastInstance hz, int ratePerSecond) {
    IMap<String, double[]> buckets = hz.getMap(MAP);
    return new IngestRate() {
      @Override
      Future<Long> acquire(String credential) {
        Take take = new Take(ratePerSecond, 2.0 * ratePerSecond, System.currentTimeMillis());
        return GridCall.of(buckets.submitToKey(credential, take), "the rate limit")
            .recover(
                err -> {
                  LOG.warn("ingest rate not counted in the grid, request let through: {}", err);
                  return Future.succeededFuture(0L);
                });
      }
    };
  }

  /** Takes one token from a credential's bucket (on its partition owner, and on the backup). */
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
