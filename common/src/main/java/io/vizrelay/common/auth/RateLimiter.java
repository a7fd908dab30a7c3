package io.vizrelay.common.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket per credential: {@code rate} requests per second sustained, bursts of {@code 2 *
 * rate}. Thread-safe; per node (each replica limits on its own).
 */
final class RateLimiter {
  private final double rate;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimiter(int ratePerSecond) {
    this(ratePerSecond, 2.0 * ratePerSecond);
  }

  /** {@code ratePerSecond} sustained (may be below 1), bursts of {@code burst}. */
  RateLimiter(double ratePerSecond, double burst) {
    this.rate = ratePerSecond;
    this.burst = burst;
  }

  /** 0 when a request of {@code key} may pass now, else the seconds to wait (at least 1). */
  long acquire(String key, long nowNanos) {
    return buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos)).take(nowNanos);
  }

  private final class Bucket {
    private double tokens;
    private long last;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    synchronized long take(long now) {
      tokens = Math.min(burst, tokens + (now - last) / (double) TimeUnit.SECONDS.toNanos(1) * rate);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }
  }
}
