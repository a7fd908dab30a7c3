package io.vizrelay.app.launcher;

import java.time.Duration;

/**
 * Delays between retries while the server is unreachable: doubling from a minimum up to a maximum.
 */
final class Backoff {
  private final long minMs;
  private final long maxMs;
  private long nextMs;

  Backoff(Duration min, Duration max) {
    this.minMs = Math.max(1, min.toMillis());
    this.maxMs = Math.max(minMs, max.toMillis());
    this.nextMs = minMs;
  }

  /** Waits the current delay (interruptible), then doubles it. */
  void pause() throws InterruptedException {
    long wait = nextMs;
    nextMs = Math.min(maxMs, nextMs * 2);
    Thread.sleep(wait);
  }

  /** The server answered: the next failure waits the minimum again. */
  void reset() {
    nextMs = minMs;
  }
}
