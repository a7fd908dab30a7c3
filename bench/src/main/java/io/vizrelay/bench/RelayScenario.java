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
    RelayMeasurement.Timing timing =
        new RelayMeasurement.Timing(ctx.pick(1.0, 0.5), ctx.pick(3, 1), ctx.pick(4.0, 2.0));
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
      // unrecorded: JIT warm-up
      m.run(
          target,
          "bench-relay-warmup",
          100,
          200,
          new RelayMeasurement.Timing(0.5, 1, ctx.pick(3.0, 1.0)));
      for (int k : SUBSCRIBERS) {
        for (int rate : RATES) {
          RelayMeasurement.Run r =
              m.run(target, "bench-relay-k" + k + "-r" + rate, k, rate, timing);
          ctx.log(
              "relay K=%d R=%d: %s deliveries/s p99 %s ms gaps %d dups %d resyncs %d missing %d",
              k,
              rate,
              Table.num(r.deliveriesPerSecond()),
              r.latency().p99Ms(),
              r.gaps(),
              r.dups(),
              r.resyncs(),
              r.missing());
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
          if (r.updatesFailed() > 0) {
            ctx.observe(
                "relay K="
                    + k
                    + " R="
                    + rate
                    + ": "
                    + r.updatesFailed()
                    + " updates failed (first: "
                    + r.firstError()
                    + ")");
          }
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
    t.note(
        "deliveries/s = frames received by the sockets during the measured seconds (receive time = send time +"
            + " latency), the same interval as the CPU figures; latency covers every frame of the updates sent in it, also"
            + " those that arrive during the drain, so a row whose sockets fall behind shows it in latency, not in missing.");
    t.note(
        "missing = updates acknowledged 200 whose frame a socket never received (after a "
            + RelayMeasurement.DRAIN_SECONDS
            + " s drain); re-syncs = extra `sync` frames (overflow/gap repair),"
            + " by their mode/reason.");
    ctx.tables.add(t);
  }
}
