package io.vizrelay.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Ingest rate into a window that already holds 100k points vs into an empty one (the visdom
 * server's cost per append is O(window): deep copy + diff + two serializations). 1-point appends, P
 * = 1 and 8 posters each on its own window, alternating empty/full runs, fresh windows per run. A 2
 * s run of 1-point appends grows a window by a few thousand points at most.
 */
final class WindowSizeScenario implements Scenario {
  static final int PREFILL_POINTS = 100_000;
  static final int PREFILL_CHUNK = 10_000;

  /**
   * Pause between filling the 100k windows and measuring: the fill writes ~1.2 MB of frames per
   * 10k-point request to the SQLite log, and the rate right after it measures that I/O aftermath
   * (WAL checkpoint, page-cache write-back under fsync), not the window size.
   */
  static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(3);

  @Override
  public String name() {
    return "window-size";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    int reps = ctx.pick(5, 1);
    IngestLoad.Timing timing = new IngestLoad.Timing(ctx.seconds(0.5, 0.3), 1, ctx.seconds(2, 1));
    Table t =
        new Table(
            "Ingest rate vs window size (vizrelay fsync=always, 1 point per request)",
            "P",
            "empty window: requests/s",
            "100k-point window: requests/s",
            "decay",
            "p99 ms empty / 100k");
    try (ServerProcess server = ctx.vizrelay("always")) {
      IngestScenario.warmUp(ctx, server); // until the JIT is quiet, as for the ingest scenario
      for (int posters : List.of(1, 8)) {
        List<Double> empty = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        LongList emptyP99 = new LongList();
        LongList fullP99 = new LongList();
        for (int rep = -1; rep < reps; rep++) {
          IngestLoad.Shape shape = new IngestLoad.Shape(posters, 1, 1);
          String base = "bench-win-" + posters + "-r" + rep;
          IngestLoad.Result e =
              new IngestLoad(
                      ctx.vertx,
                      server,
                      shape,
                      new IngestLoad.Target(base + "-empty", "loss", Long.MAX_VALUE))
                  .run(timing);
          IngestLoad.Target fullTarget =
              new IngestLoad.Target(base + "-full", "loss", Long.MAX_VALUE);
          prefill(ctx, server, fullTarget, posters);
          Thread.sleep(SETTLE.toMillis()); // let the fill burst's log writes and checkpoint finish
          IngestLoad.Result f = new IngestLoad(ctx.vertx, server, shape, fullTarget).run(timing);
          if (rep < 0) {
            continue; // the first pair only warms the JIT of this fresh server
          }
          empty.add(e.medianRequests());
          full.add(f.medianRequests());
          ratios.add(f.medianRequests() / e.medianRequests());
          emptyP99.add(e.latency().p99());
          fullP99.add(f.latency().p99());
          ctx.log(
              "window-size P=%d rep %d: empty %s req/s, 100k %s req/s",
              posters, rep, Table.num(e.medianRequests()), Table.num(f.medianRequests()));
        }
        double decay = 1 - Stats.median(ratios);
        t.row(
            posters,
            Table.spread(empty, 1),
            Table.spread(full, 1),
            Table.pct(decay)
                + " ("
                + Table.pct(1 - Stats.max(ratios))
                + "–"
                + Table.pct(1 - Stats.min(ratios))
                + ")",
            Stats.ms(median(emptyP99)) + " / " + Stats.ms(median(fullP99)));
        ctx.targets.add(
            "≤ 10% ingest-rate decay, empty → 100k-point window (P=" + posters + ")",
            Table.pct(decay),
            decay <= 0.10);
      }
    }
    t.note(
        "The 100k windows are filled with 10k-point appends, then the bench waits "
            + SETTLE.toSeconds()
            + " s before measuring.");
    t.note(
        reps
            + " alternating run pair(s) per row (after one unrecorded warm-up pair), each a "
            + timing.slice().toMillis() / 1000.0
            + " s slice after a short warm-up; medians with min–max. The fresh server is first warmed like the ingest"
            + " scenario's (rounds of every ingest shape until its JIT compiler threads are nearly idle).");
    t.note(
        "Decay = 1 − median over pairs of rate(100k) / rate(empty), each pair run back to back so that load from"
            + " other processes hits both alike; min–max over pairs in brackets. Negative = the full window was faster.");
    ctx.tables.add(t);
  }

  /** Appends {@link #PREFILL_POINTS} points to each poster's first window, 10k per request. */
  private static void prefill(
      BenchContext ctx, ServerProcess server, IngestLoad.Target target, int posters)
      throws Exception {
    for (int p = 0; p < posters; p++) {
      for (int x = 0; x < PREFILL_POINTS; x += PREFILL_CHUNK) {
        AdminClient.post(
            server,
            "/update",
            PlotBodies.append(
                target.taskPrefix() + "-p" + p, target.winPrefix() + "-0", x, PREFILL_CHUNK));
      }
    }
  }

  private static long median(LongList v) {
    long[] a = v.toArray();
    java.util.Arrays.sort(a);
    return a.length == 0 ? 0 : a[a.length / 2];
  }
}
