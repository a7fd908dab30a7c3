package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live relay: K = 1, 100, 1000 sockets on one task while a poster appends one point per update at
 * 20 and 200 updates/s (each update becomes one {@code window_update} frame per socket). Reports
 * deliveries/s, end-to-end latency (POST written → frame received), and per-socket seq gaps,
 * duplicates, re-syncs and markers never received.
 */
final class RelayScenario implements Scenario {
  static final int[] SUBSCRIBERS = {1, 100, 1000};
  static final int[] RATES = {20, 200};
  static final int CONNECT_CONCURRENCY = 200;
  static final int PREFILL_POINTS = 100;

  /** One K x R run's aggregates. */
  record Run(int k, int rate, double seconds, double updatesPerSecond, long updatesOk, long updatesFailed, long deliveries, Stats.Latency latency,
      long gaps, long dups, long resyncs, long missing, double serverCores, double benchCores, double otherCores,
      Stats.Latency joinTime) {
    double deliveriesPerSecond() {
      return deliveries / seconds;
    }
  }

  @Override
  public String name() {
    return "relay";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    double warmup = ctx.pick(1.0, 0.5);
    int slices = ctx.pick(3, 1);
    double slice = ctx.pick(4.0, 2.0);
    Table t = new Table("Relay: live deliveries (vizrelay fsync=always, visdom frame format)",
        "K sockets", "updates/s", "deliveries/s (expected)", "latency p50 / p99 / max ms", "gaps", "dups",
        "re-syncs", "missing", "CPU cores: server / bench / other", "snapshot on connect p50 / max ms");
    List<Context> contexts = EventLoops.contexts(ctx.vertx, 8);
    WebSocketClient client = ctx.vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(100_000).setMaxFrameSize(64 << 20).setMaxMessageSize(256 << 20)
        .setConnectTimeout(30_000));
    try (ServerProcess server = ctx.vizrelay("always")) {
      runOne(ctx, server, client, contexts, 100, 200, 0.5, 1, ctx.pick(3.0, 1.0)); // unrecorded: JIT warm-up
      for (int k : SUBSCRIBERS) {
        for (int rate : RATES) {
          Run r = runOne(ctx, server, client, contexts, k, rate, warmup, slices, slice);
          ctx.log("relay K=%d R=%d: %s deliveries/s p99 %s ms gaps %d dups %d resyncs %d missing %d", k, rate,
              Table.num(r.deliveriesPerSecond()), r.latency().p99Ms(), r.gaps(), r.dups(), r.resyncs(), r.missing());
          t.row(k, rate + " (sent " + Table.num(r.updatesPerSecond()) + ")", Table.num(r.deliveriesPerSecond())
                  + " (" + Table.num((double) k * rate) + ")",
              r.latency().p50Ms() + " / " + r.latency().p99Ms() + " / " + r.latency().maxMs(), r.gaps(), r.dups(),
              r.resyncs(), r.missing(), String.format("%.2f / %.2f / %.2f", r.serverCores(), r.benchCores(), r.otherCores()),
              r.joinTime().p50Ms() + " / " + r.joinTime().maxMs());
          if (r.updatesFailed() > 0) {
            ctx.observe("relay K=" + k + " R=" + rate + ": " + r.updatesFailed() + " updates failed");
          }
          if (k == 1000 && rate == 200) {
            boolean met = r.latency().p99() < 50_000_000L && r.gaps() == 0 && r.missing() == 0 && r.resyncs() == 0;
            ctx.targets.add("1000 sockets × 200 updates/s: p99 < 50 ms, zero gaps",
                "p99 " + r.latency().p99Ms() + " ms, gaps " + r.gaps() + ", missing " + r.missing() + ", re-syncs "
                    + r.resyncs() + ", " + Table.num(r.deliveriesPerSecond()) + " deliveries/s", met);
          }
        }
      }
    } finally {
      client.close();
    }
    t.note(String.format("Per row: one set of K sockets, %.1f s warm-up then %d × %.0f s measured (pooled)."
        + " Single run per row (after one unrecorded K=100 × 200/s run that warms the fresh server).", warmup, slices,
        slice));
    t.note("Latency = frame received by the socket − POST written by the poster (same JVM, System.nanoTime); it"
        + " includes the server's fsync, since a delta is published only after its durable apply.");
    t.note("missing = updates acknowledged 200 whose frame a socket never received (after a 5 s drain);"
        + " re-syncs = extra `sync` frames (overflow/gap repair).");
    ctx.tables.add(t);
  }

  private Run runOne(BenchContext ctx, ServerProcess server, WebSocketClient client, List<Context> contexts, int k,
      int rate, double warmup, int slices, double slice) throws Exception {
    String task = "bench-relay-k" + k + "-r" + rate;
    createWindow(ctx, server, task);
    double total = warmup + slices * slice;
    AtomicLongArray sendNanos = new AtomicLongArray((int) (rate * (total + 5) * 1.5) + 100);
    List<Subscriber> subs = connectAll(ctx, server, client, contexts, k, task, sendNanos);
    LongList joins = new LongList(k);
    for (Subscriber s : subs) {
      joins.add(await(s.summary()).syncedNanos());
    }

    PacedPoster poster = new PacedPoster(ctx.vertx, contexts.get(0), server.port, task, "loss", rate, sendNanos);
    poster.start();
    Thread.sleep((long) (warmup * 1000));
    long firstMarker = poster.sent();
    ProcStats.Meter cpu = ProcStats.Meter.start(server.pid());
    long t0 = System.nanoTime();
    Thread.sleep((long) (slices * slice * 1000));
    long endMarker = poster.sent();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] cores = cpu.cores();
    await(poster.stop());
    long expectedPerSub = poster.ok();

    List<Subscriber.Summary> sums = drain(subs, expectedPerSub, sendNanos);
    LongList lat = new LongList(1 << 16);
    long deliveries = 0;
    long gaps = 0;
    long dups = 0;
    long resyncs = 0;
    long missing = 0;
    for (Subscriber.Summary s : sums) {
      for (int i = 0; i < s.markers().size(); i++) {
        long m = s.markers().get(i);
        if (m >= firstMarker && m < endMarker) {
          deliveries++;
          lat.add(s.latencies().get(i));
        }
      }
      gaps += s.gaps();
      dups += s.dups();
      resyncs += s.resyncs();
      missing += Math.max(0, expectedPerSub - s.markers().size());
    }
    for (Subscriber s : subs) {
      await(s.close());
    }
    closeTask(ctx, server, task);
    return new Run(k, rate, seconds, (endMarker - firstMarker) / seconds, poster.ok(), poster.failed(), deliveries, Stats.latency(lat), gaps, dups, resyncs,
        missing, cores[0], cores[1], cores[2], Stats.latency(joins));
  }

  /** Waits (at most 5 s) until every socket has received every acknowledged update. */
  private static List<Subscriber.Summary> drain(List<Subscriber> subs, long expected, AtomicLongArray sendNanos)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<Subscriber.Summary> sums = new ArrayList<>();
      boolean complete = true;
      for (Subscriber s : subs) {
        Subscriber.Summary sum = await(s.summary());
        sums.add(sum);
        complete &= sum.markers().size() >= expected;
      }
      if (complete || System.nanoTime() > deadline) {
        return sums;
      }
      Thread.sleep(200);
    }
  }

  static List<Subscriber> connectAll(BenchContext ctx, ServerProcess server, WebSocketClient client,
      List<Context> contexts, int k, String task, AtomicLongArray sendNanos) throws Exception {
    Semaphore permits = new Semaphore(CONNECT_CONCURRENCY);
    List<Subscriber> subs = new ArrayList<>();
    List<Future<Void>> synced = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      permits.acquire();
      Subscriber s = new Subscriber(contexts.get(i % contexts.size()), sendNanos);
      subs.add(s);
      synced.add(s.connect(client, server.port, "/socket?task_id=" + task).onComplete(ar -> permits.release()));
    }
    Future.all(synced).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    return subs;
  }

  private static void createWindow(BenchContext ctx, ServerProcess server, String task) throws Exception {
    long[] x = new long[PREFILL_POINTS];
    double[] y = new double[PREFILL_POINTS];
    for (int i = 0; i < PREFILL_POINTS; i++) {
      x[i] = i - PREFILL_POINTS;
      y[i] = -1;
    }
    AdminClient.post(ctx.vertx, server, "/update", PlotBodies.append(task, "loss", x, y));
  }

  private static void closeTask(BenchContext ctx, ServerProcess server, String task) throws Exception {
    AdminClient.post(ctx.vertx, server, "/close", PlotBodies.closeAll(task));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
