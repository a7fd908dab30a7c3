package io.vizrelay.bench;

/**
 * Live relay: K = 1, 100, 1000 sockets on one task while a poster appends one point per update at
 * 20 and 200 updates/s (each update becomes one {@code window_update} frame per socket). Reports
 * deliveries/s, end-to-end latency (POST written → frame received), per-socket seq gaps,
 * duplicates, re-syncs and markers never received, and server CPU per 1,000 deliveries. The
 * measuring is {@link RelayMeasurement}, shared with {@link ClusterRelayScenario}.
 */
final class RelayScenario implements Scenario {
  static final int[] SUBSCRIBERS = {1, 100, 1000};
  static final int[] RATES = {20, 200};

  @Override
  public String name() {
    return "relay";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    RelayMeasurement.Timing timing = RelayMeasurement.Timing.of(ctx);
    Table t =
        new Table(
            "Relay: live deliveries (vizrelay fsync=always, visdom frame format)",
            "K sockets",
            "updates/s",
            "deliveries/s (expected)",
            "latency p50 / p99 / max ms",
            "gaps",
            "dups",
            "re-syncs",
            "missing",
            "CPU cores: server / bench / other",
            "server CPU s / 1,000 deliveries",
            "snapshot on connect p50 / max ms");
    RelayMeasurement m = RelayMeasurement.open(ctx);
    try (ServerProcess server = ctx.vizrelay("always")) {
      RelayTarget target = RelayTarget.of(server);
      m.warmUp(target, "bench-relay-warmup"); // unrecorded: JIT warm-up
      for (int k : SUBSCRIBERS) {
        for (int rate : RATES) {
          RelayMeasurement.Run r =
              m.run(target, "bench-relay-k" + k + "-r" + rate, k, rate, timing);
          m.report("relay", r);
          t.row(
              k,
              r.sentCell(),
              r.deliveriesCell(),
              r.latencies(),
              r.gaps(),
              r.dups(),
              r.resyncCell(),
              r.missing(),
              r.cores(),
              String.format("%.3f", r.cpuPerThousand()),
              r.joinCell());
          if (k == 1000 && rate == 200) {
            boolean met =
                r.latency().p99() < 50_000_000L
                    && r.gaps() == 0
                    && r.missing() == 0
                    && r.resyncs() == 0;
            ctx.targets.add(
                "1000 sockets × 200 updates/s: p99 < 50 ms, zero gaps",
                "p99 "
                    + r.latency().p99Ms()
                    + " ms, gaps "
                    + r.gaps()
                    + ", missing "
                    + r.missing()
                    + ", re-syncs "
                    + r.resyncs()
                    + ", "
                    + Table.num(r.deliveriesPerSecond())
                    + " deliveries/s",
                met);
          }
        }
      }
    } finally {
      m.close();
    }
    t.note(
        String.format(
            "Per row: one set of K sockets, %.1f s warm-up then %d × %.0f s measured (pooled)."
                + " Single run per row (after one unrecorded K=100 × 200/s run that warms the fresh server).",
            timing.warmup(), timing.slices(), timing.slice()));
    t.note(
        "Latency = frame received by the socket − POST written by the poster (same JVM, System.nanoTime); it"
            + " includes the server's fsync, since a delta is published only after its durable apply.");
    RelayMeasurement.noteCounts(t);
    ctx.tables.add(t);
  }
}
