package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The measuring part of the relay scenarios ({@link RelayScenario} against the embedded node,
 * {@link ClusterRelayScenario} against the loopback cluster): K sockets on one task, spread
 * round-robin over the target's socket ports, while one {@link PacedPoster} appends one point per
 * update to the target's ingest port. Each socket checks {@code seq} continuity; latency is frame
 * received − POST written (same JVM, {@code nanoTime}); the server's CPU is summed over the
 * target's processes during the measured interval.
 */
final class RelayMeasurement {
  static final int CONNECT_CONCURRENCY = 200;
  static final int PREFILL_POINTS = 100;

  /** How long, after the poster stopped, sockets may take to receive every acknowledged update. */
  static final long DRAIN_SECONDS = 5;

  /**
   * How long one K × R run lasts: warm-up, then {@code slices × slice} seconds measured (pooled).
   */
  record Timing(double warmup, int slices, double slice) {
    double measured() {
      return slices * slice;
    }

    /** The relay scenarios' measured runs. */
    static Timing of(BenchContext ctx) {
      return new Timing(ctx.pick(1.0, 0.5), ctx.pick(3, 1), ctx.pick(4.0, 2.0));
    }

    /** An unrecorded run that warms a fresh server's JIT. */
    static Timing warmUp(BenchContext ctx) {
      return new Timing(0.5, 1, ctx.pick(3.0, 1.0));
    }
  }

  /** Warms {@code target} with one unrecorded K = 100 × 200/s run on task {@code task}. */
  void warmUp(RelayTarget target, String task) throws Exception {
    run(target, task, 100, 200, Timing.warmUp(ctx));
  }

  /** Logs one run's figures under {@code label}, and any failed updates as an observation. */
  void report(String label, Run r) {
    ctx.log(
        "%s K=%d R=%d: %s deliveries/s p50 %s p99 %s ms gaps %d dups %d resyncs %d missing %d,"
            + " %.3f CPU s/1000",
        label,
        r.k(),
        r.rate(),
        Table.num(r.deliveriesPerSecond()),
        r.latency().p50Ms(),
        r.latency().p99Ms(),
        r.gaps(),
        r.dups(),
        r.resyncs(),
        r.missing(),
        r.cpuPerThousand());
    if (r.updatesFailed() > 0) {
      ctx.observe(
          label
              + " K="
              + r.k()
              + " R="
              + r.rate()
              + ": "
              + r.updatesFailed()
              + " updates failed (first: "
              + r.firstError()
              + ")");
    }
  }

  /** The notes every relay table carries: what deliveries/s, missing and re-syncs count. */
  static void noteCounts(Table t) {
    t.note(
        "deliveries/s = frames received by the sockets during the measured seconds (receive time = send time +"
            + " latency), the same interval as the CPU figures; latency covers every frame of the updates sent in it, also"
            + " those that arrive during the drain, so a row whose sockets fall behind shows it in latency, not in missing.");
    t.note(
        "missing = updates acknowledged 200 whose frame a socket never received (after a "
            + DRAIN_SECONDS
            + " s drain); re-syncs = extra `sync` frames (overflow/gap repair),"
            + " by their mode/reason.");
  }

  /**
   * One K x R run's aggregates. {@code deliveries}: frames received during the measured interval
   * (whatever update they carry), over which {@code cpu} was measured, per server process of the
   * target; {@code latency}: every frame of the updates sent during that interval (received then or
   * during the drain).
   */
  record Run(
      int k,
      int rate,
      double seconds,
      double updatesPerSecond,
      long updatesOk,
      long updatesFailed,
      String firstError,
      long deliveries,
      Stats.Latency latency,
      long gaps,
      long dups,
      long resyncs,
      Map<String, Long> resyncKinds,
      long missing,
      ProcStats.Reading cpu,
      Stats.Latency joinTime) {
    double deliveriesPerSecond() {
      return deliveries / seconds;
    }

    double serverCores() {
      return cpu.serverCores();
    }

    double benchCores() {
      return cpu.benchCores();
    }

    double otherCores() {
      return cpu.otherCores();
    }

    /** Server CPU seconds (all processes) per 1,000 deliveries. */
    double cpuPerThousand() {
      return deliveries == 0 ? Double.NaN : cpu.serverSeconds() * 1000 / deliveries;
    }

    /** One process's CPU seconds per 1,000 deliveries. */
    double cpuPerThousand(int process) {
      return deliveries == 0 ? Double.NaN : cpu.perServer()[process] * 1000 / deliveries;
    }

    String cores() {
      return String.format("%.2f / %.2f / %.2f", serverCores(), benchCores(), otherCores());
    }

    String latencies() {
      return latency.p50Ms() + " / " + latency.p99Ms() + " / " + latency.maxMs();
    }

    String sentCell() {
      return rate + " (sent " + Table.num(updatesPerSecond) + ")";
    }

    String deliveriesCell() {
      return Table.num(deliveriesPerSecond()) + " (" + Table.num((double) k * rate) + ")";
    }

    /** Re-syncs with their kinds when there are any: {@code 100 (resume/gap 100)}. */
    String resyncCell() {
      if (resyncs == 0) {
        return "0";
      }
      StringBuilder sb = new StringBuilder().append(resyncs).append(" (");
      resyncKinds.forEach(
          (kind, n) ->
              sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ")
                  .append(kind)
                  .append(' ')
                  .append(n));
      return sb.append(')').toString();
    }

    String joinCell() {
      return joinTime.p50Ms() + " / " + joinTime.maxMs();
    }
  }

  private final BenchContext ctx;
  private final WebSocketClient client;
  private final List<Context> contexts;

  private RelayMeasurement(BenchContext ctx, WebSocketClient client, List<Context> contexts) {
    this.ctx = ctx;
    this.client = client;
    this.contexts = contexts;
  }

  /**
   * A measurer with its own WebSocket client over 8 of the bench's event loops; close it after use.
   */
  static RelayMeasurement open(BenchContext ctx) throws Exception {
    List<Context> contexts = EventLoops.contexts(ctx.vertx, 8);
    return new RelayMeasurement(ctx, newClient(ctx), contexts);
  }

  static WebSocketClient newClient(BenchContext ctx) {
    return ctx.vertx.createWebSocketClient(
        new WebSocketClientOptions()
            .setMaxConnections(100_000)
            .setMaxFrameSize(64 << 20)
            .setMaxMessageSize(256 << 20)
            .setConnectTimeout(30_000));
  }

  void close() {
    client.close();
  }

  /**
   * One run: a fresh task, K sockets (snapshot received), the poster at {@code rate}, drain, close.
   */
  Run run(RelayTarget target, String task, int k, int rate, Timing timing) throws Exception {
    createWindow(target, task);
    double total = timing.warmup() + timing.measured();
    AtomicLongArray sendNanos = new AtomicLongArray((int) (rate * (total + 5) * 1.5) + 100);
    List<Subscriber> subs =
        connectAll(ctx, target.socketPorts(), client, contexts, k, task, sendNanos);
    try {
      LongList joins = new LongList(k);
      for (Subscriber s : subs) {
        joins.add(await(s.summary()).syncedNanos());
      }

      PacedPoster poster =
          new PacedPoster(
              ctx.vertx, contexts.get(0), target.ingestPort(), task, "loss", rate, sendNanos);
      poster.start();
      Thread.sleep((long) (timing.warmup() * 1000));
      long firstMarker = poster.sent();
      ProcStats.Meter cpu = ProcStats.Meter.start(target.pids());
      long t0 = System.nanoTime();
      Thread.sleep((long) (timing.measured() * 1000));
      long endMarker = poster.sent();
      ProcStats.Reading used = cpu.read();
      long t1 = System.nanoTime();
      double seconds = (t1 - t0) / 1e9;
      await(poster.stop());
      long expectedPerSub = poster.ok();

      List<Subscriber.Summary> sums = drain(subs, expectedPerSub);
      LongList lat = new LongList(1 << 16);
      long deliveries = 0;
      long gaps = 0;
      long dups = 0;
      long resyncs = 0;
      long missing = 0;
      Map<String, Long> kinds = new TreeMap<>();
      for (Subscriber.Summary s : sums) {
        s.resyncKinds().forEach((kind, n) -> kinds.merge(kind, n, Long::sum));
        for (int i = 0; i < s.markers().size(); i++) {
          long m = s.markers().get(i);
          long latency = s.latencies().get(i);
          if (m >= firstMarker && m < endMarker) {
            lat.add(latency);
          }
          long received = sendNanos.get((int) m) + latency;
          if (received >= t0 && received < t1) {
            deliveries++;
          }
        }
        gaps += s.gaps();
        dups += s.dups();
        resyncs += s.resyncs();
        missing += Math.max(0, expectedPerSub - s.markers().size());
      }
      return new Run(
          k,
          rate,
          seconds,
          (endMarker - firstMarker) / seconds,
          poster.ok(),
          poster.failed(),
          poster.firstError(),
          deliveries,
          Stats.latency(lat),
          gaps,
          dups,
          resyncs,
          kinds,
          missing,
          used,
          Stats.latency(joins));
    } finally {
      for (Subscriber s : subs) {
        await(s.close());
      }
      AdminClient.post(target.ingestPort(), target.alive(), "/close", PlotBodies.closeAll(task));
    }
  }

  /**
   * Waits (at most {@link #DRAIN_SECONDS}) until every socket has received every acknowledged
   * update.
   */
  private static List<Subscriber.Summary> drain(List<Subscriber> subs, long expected)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
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

  /**
   * Opens K sockets on {@code task}, socket i on {@code ports[i % ports.size()]}, at most {@link
   * #CONNECT_CONCURRENCY} handshakes at a time; returns once each has its snapshot.
   */
  static List<Subscriber> connectAll(
      BenchContext ctx,
      List<Integer> ports,
      WebSocketClient client,
      List<Context> contexts,
      int k,
      String task,
      AtomicLongArray sendNanos)
      throws Exception {
    Semaphore permits = new Semaphore(CONNECT_CONCURRENCY);
    List<Subscriber> subs = new ArrayList<>();
    List<Future<Void>> synced = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      permits.acquire();
      Subscriber s = new Subscriber(contexts.get(i % contexts.size()), sendNanos);
      subs.add(s);
      synced.add(
          s.connect(client, ports.get(i % ports.size()), "/socket?task_id=" + task)
              .onComplete(ar -> permits.release()));
    }
    Future.all(synced).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    return subs;
  }

  private void createWindow(RelayTarget target, String task) throws Exception {
    long[] x = new long[PREFILL_POINTS];
    double[] y = new double[PREFILL_POINTS];
    for (int i = 0; i < PREFILL_POINTS; i++) {
      x[i] = i - PREFILL_POINTS;
      y[i] = -1;
    }
    AdminClient.post(
        target.ingestPort(), target.alive(), "/update", PlotBodies.append(task, "loss", x, y));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
