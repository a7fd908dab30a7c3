package io.vizrelay.socket;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the relay (exposed by {@code GET /api/relay/stats}; Prometheus comes later). */
public final class SocketMetrics {
  private final LongAdder delivered = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder snapshots = new LongAdder();
  private final LongAdder resumed = new LongAdder();
  private final LongAdder resumeMissed = new LongAdder();
  private final LongAdder gapsRepaired = new LongAdder();

  void delivered() {
    delivered.increment();
  }

  void dropped() {
    dropped.increment();
  }

  void snapshot() {
    snapshots.increment();
  }

  void resumed() {
    resumed.increment();
  }

  void resumeMissed() {
    resumeMissed.increment();
  }

  void gapRepaired() {
    gapsRepaired.increment();
  }

  /** A point-in-time copy of the counters. */
  public record View(long delivered, long dropped, long snapshots, long resumed, long resumeMissed,
      long gapsRepaired, int sessions, int channels, long maxQueuedDeltaBytes) {}

  View view(int sessions, int channels, long maxQueuedDeltaBytes) {
    return new View(delivered.sum(), dropped.sum(), snapshots.sum(), resumed.sum(), resumeMissed.sum(),
        gapsRepaired.sum(), sessions, channels, maxQueuedDeltaBytes);
  }
}
