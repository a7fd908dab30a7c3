package io.vizrelay.socket;

import io.micrometer.core.instrument.Counter;
import io.vizrelay.common.metrics.Metrics;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counters of the relay, in the process's Prometheus registry (docs/METRICS.md) and in {@code GET
 * /api/relay/stats} (which reads the same meters).
 */
public final class SocketMetrics {
  /**
   * The re-sync reasons counted by {@code vizrelay_resyncs_total}; a socket's first sync (connect,
   * resume) is not a re-sync.
   */
  static final java.util.List<String> RESYNC_REASONS =
      java.util.List.of("gap", "overflow", "epoch", "env", "rebucket");

  private final Counter delivered;
  private final Counter dropped;
  private final Counter snapshots;
  private final Counter resumed;
  private final Counter resumeMissed;
  private final Counter gapsRepaired;
  private final Counter resyncsHeld;
  private final Map<String, Counter> resyncs = new java.util.HashMap<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger channels = new AtomicInteger();

  SocketMetrics(Metrics m) {
    delivered =
        m.counter(
            "vizrelay.deliveries", "deltas written to browser sockets (one per frame per socket)");
    dropped =
        m.counter(
            "vizrelay.frames.dropped",
            "deltas not sent to a slow browser (its queue was full); it is re-synced with a snapshot");
    snapshots =
        m.counter(
            "vizrelay.snapshots",
            "snapshots sent to browsers (first sync, re-sync, resume too old)");
    resumed = m.counter("vizrelay.resumes", "since= resumes served from the store", "result", "ok");
    resumeMissed =
        m.counter("vizrelay.resumes", "since= resumes served from the store", "result", "gone");
    gapsRepaired =
        m.counter(
            "vizrelay.gaps.repaired",
            "seq gaps in the relay repaired from the store (channel or session)");
    resyncsHeld =
        m.counter(
            "vizrelay.resync.requests.held",
            "browser-asked re-syncs (resume, env switch) refused by the rate or waiting for the send queue to drain");
    for (String reason : RESYNC_REASONS) {
      resyncs.put(
          reason,
          m.counter(
              "vizrelay.resyncs", "sessions re-synced after they were live", "reason", reason));
    }
    m.gauge("vizrelay.sessions", "browser sockets open on this node", sessions, AtomicInteger::get);
    m.gauge(
        "vizrelay.channels",
        "task channels on this node: one per task per event loop with its browsers (one event-bus consumer each)",
        channels,
        AtomicInteger::get);
  }

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

  void resyncHeld() {
    resyncsHeld.increment();
  }

  /** A sync that {@link Session#resync} starts; only re-sync reasons are counted. */
  void resync(String reason) {
    Counter c = resyncs.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  void sessionOpened() {
    sessions.incrementAndGet();
  }

  void sessionClosed() {
    sessions.decrementAndGet();
  }

  void channelOpened() {
    channels.incrementAndGet();
  }

  void channelClosed() {
    channels.decrementAndGet();
  }

  /** A point-in-time copy of the counters. */
  public record View(
      long delivered,
      long dropped,
      long snapshots,
      long resumed,
      long resumeMissed,
      long gapsRepaired,
      int sessions,
      int channels,
      long maxQueuedDeltaBytes,
      long maxQueuedBytes,
      long resyncsHeld,
      int eventLoops) {}

  /**
   * The counters with the socket hubs' figures: sessions and channels summed over the {@code
   * eventLoops} loops that served a browser so far, the largest queues of any.
   */
  View view(
      int sessions, int channels, long maxQueuedDeltaBytes, long maxQueuedBytes, int eventLoops) {
    return new View(
        (long) delivered.count(),
        (long) dropped.count(),
        (long) snapshots.count(),
        (long) resumed.count(),
        (long) resumeMissed.count(),
        (long) gapsRepaired.count(),
        sessions,
        channels,
        maxQueuedDeltaBytes,
        maxQueuedBytes,
        (long) resyncsHeld.count(),
        eventLoops);
  }
}
