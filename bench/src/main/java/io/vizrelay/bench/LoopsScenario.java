package io.vizrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event-loop scaling and the cost of ingest and fan-out next to bare ceilings (issue 16): the
 * embedded server ({@code VIZRELAY_FSYNC=batch}) with {@code VIZRELAY_EVENT_LOOPS} = 1 and 2, and
 * the bare servers with as many instances. Ingest: 8 posters x 1 point against {@link BareServer}.
 * Relay: 1,000 sockets on one task at {@link #RELAY_RATE} updates/s, the same poster and
 * subscribers against {@link BareFanoutServer}, which writes the frame vizrelay delivered for one
 * update ({@link FrameCapture}) to every socket. Each row gives server CPU per request / delivery,
 * in total and per thread ({@link ThreadCpu}), and vizrelay's rows the ratio to bare. On a 2-core
 * machine shared with the load generator, two loops can only show what a second loop costs or
 * saves; more cores are needed to show the scaling itself.
 */
final class LoopsScenario implements Scenario {
  static final int[] LOOPS = {1, 2};
  static final IngestLoad.Shape SHAPE = new IngestLoad.Shape(8, 1, 1);
  static final int RELAY_SOCKETS = 1000;

  /** Low enough that both servers deliver every frame here, so both do the same work. */
  static final int RELAY_RATE = 20;

  /** Issue 16's targets: CPU per request ≤ 2 × bare, per delivery ≤ 1.5 × bare. */
  static final double INGEST_TARGET = 2.0;

  static final double FANOUT_TARGET = 1.5;

  /** One server's (or one pair of bare servers') figures. */
  private record Side(IngestLoad.Result ingest, RelayMeasurement.Run relay) {
    double cpuPerRequest() {
      return ingest.cpuPerRequest();
    }

    double cpuPerDelivery() {
      return relay.cpuPerThousand() * 1000;
    }
  }

  @Override
  public String name() {
    return "loops";
  }

  /**
   * Ingest rounds per loop count (the first is the full row above): one 4 s run of a server varies
   * by up to ±20 % from one process to the next here, so the target is judged on the median of the
   * rounds' ratios, each round a fresh vizrelay and a fresh bare server measured back to back.
   */
  static final int INGEST_ROUNDS = 5;

  @Override
  public void run(BenchContext ctx) throws Exception {
    Table t = table();
    Table rounds =
        new Table(
            "Ingest 8x1, server CPU µs per request by round (fresh servers each round)",
            "loops",
            "round",
            "vizrelay fsync=batch",
            "bare Vert.x",
            "ratio");
    Map<Integer, List<Double>> ratios = new TreeMap<>();
    RelayMeasurement relay = RelayMeasurement.open(ctx);
    try {
      for (int loops : LOOPS) {
        String frame;
        Side vizrelay;
        try (ServerProcess server = ctx.vizrelay("batch", loops)) {
          frame = FrameCapture.capture(ctx, RelayTarget.of(server));
          ctx.log("loops: vizrelay's frame for one update (%d bytes): %s", frame.length(), frame);
          vizrelay = new Side(ingest(ctx, server, loops), relay(ctx, relay, server, loops));
        }
        Side bare = bare(ctx, relay, loops, frame);
        row(t, "bare Vert.x", loops, bare, null);
        row(t, "vizrelay fsync=batch", loops, vizrelay, bare);
        judgeFanout(ctx, loops, vizrelay, bare);
        round(rounds, ratios, loops, 1, vizrelay.cpuPerRequest(), bare.cpuPerRequest());
        t.note(
            "loops="
                + loops
                + ": the relayed frame is "
                + frame.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + " bytes.");
      }
      for (int r = 2; r <= ctx.pick(INGEST_ROUNDS, 1); r++) {
        for (int loops : LOOPS) {
          double viz;
          try (ServerProcess server = ctx.vizrelay("batch", loops)) {
            viz = ingest(ctx, server, loops).cpuPerRequest();
          }
          double bare;
          try (ServerProcess server = ctx.bare(loops)) {
            bare = ingest(ctx, server, loops).cpuPerRequest();
          }
          round(rounds, ratios, loops, r, viz, bare);
        }
      }
    } finally {
      relay.close();
    }
    judgeIngest(ctx, rounds, ratios);
    notes(t);
    ctx.tables.add(t);
    ctx.tables.add(rounds);
  }

  private static void round(
      Table rounds,
      Map<Integer, List<Double>> ratios,
      int loops,
      int round,
      double viz,
      double bare) {
    rounds.row(
        loops,
        round,
        String.format("%.1f", viz),
        String.format("%.1f", bare),
        String.format("%.2f×", viz / bare));
    ratios.computeIfAbsent(loops, l -> new ArrayList<>()).add(viz / bare);
  }

  /** Issue 16's ingest target for each loop count, on the median of the rounds' ratios. */
  private static void judgeIngest(
      BenchContext ctx, Table rounds, Map<Integer, List<Double>> ratios) {
    for (var e : ratios.entrySet()) {
      List<Double> sorted = e.getValue().stream().sorted().toList();
      double median = sorted.get(sorted.size() / 2);
      rounds.note(
          String.format(
              "loops=%d: median ratio %.2f× over %d round(s) (%.2f–%.2f)",
              e.getKey(), median, sorted.size(), sorted.get(0), sorted.get(sorted.size() - 1)));
      ctx.targets.add(
          "server CPU per 1-point request ≤ "
              + INGEST_TARGET
              + " × bare (loops="
              + e.getKey()
              + ", median of "
              + sorted.size()
              + " rounds)",
          String.format(
              "%.2f× (rounds %s)",
              median, e.getValue().stream().map(v -> String.format("%.2f", v)).toList()),
          median <= INGEST_TARGET);
    }
  }

  private static Table table() {
    return new Table(
        "Event loops: ingest 8x1 and relay 1,000 sockets x "
            + RELAY_RATE
            + " updates/s, by VIZRELAY_EVENT_LOOPS, next to bare Vert.x",
        "server",
        "loops",
        "ingest req/s",
        "server CPU µs / request",
        "per thread µs / request",
        "relay deliveries/s (expected)",
        "server CPU µs / delivery",
        "per thread µs / delivery",
        "relay p99 ms",
        "CPU cores server / bench / other: ingest; relay");
  }

  /** The bare ceilings with {@code loops} instances: ingest, then fan-out of {@code frame}. */
  private static Side bare(BenchContext ctx, RelayMeasurement relay, int loops, String frame)
      throws Exception {
    IngestLoad.Result ingest;
    try (ServerProcess bare = ctx.bare(loops)) {
      ingest = ingest(ctx, bare, loops);
    }
    try (ServerProcess fanout = ctx.bareFanout(loops)) {
      AdminClient.post(fanout, "/frame", Buffer.buffer(frame));
      return new Side(ingest, relay(ctx, relay, fanout, loops));
    }
  }

  private static IngestLoad.Result ingest(BenchContext ctx, ServerProcess server, int loops)
      throws Exception {
    IngestScenario.warmUp(ctx, server);
    IngestLoad.Result r =
        new IngestLoad(
                ctx.vertx,
                server,
                SHAPE,
                new IngestLoad.Target("bench-loops-" + server.pid() + "-" + loops, "loss", 20_000))
            .run(new IngestLoad.Timing(ctx.seconds(1, 0.5), 1, ctx.seconds(4, 2)));
    ctx.log(
        "loops %-28s %s req/s, server %.1f µs/request (%s), cores server %.2f bench %.2f other %.2f",
        server.label,
        Table.num(r.medianRequests()),
        r.serverCores() * 1e6 / r.medianRequests(),
        r.threads().perUnit(r.medianRequests()),
        r.serverCores(),
        r.benchCores(),
        r.otherCores());
    return r;
  }

  private static RelayMeasurement.Run relay(
      BenchContext ctx, RelayMeasurement relay, ServerProcess server, int loops) throws Exception {
    RelayTarget target = RelayTarget.of(server);
    String task = "bench-loops-relay-" + server.pid() + "-" + loops;
    relay.warmUp(target, task + "-warmup");
    RelayMeasurement.Run run =
        relay.run(target, task, RELAY_SOCKETS, RELAY_RATE, RelayMeasurement.Timing.of(ctx));
    relay.report("loops " + server.label, run);
    ctx.log(
        "loops %s: per thread µs/delivery %s",
        server.label, run.cpu().threads().perUnit(run.deliveriesPerSecond()));
    if (run.gaps() + run.dups() + run.missing() > 0) {
      ctx.observe(
          String.format(
              "loops=%d %s: relay gaps %d, dups %d, missing %d",
              loops, server.label, run.gaps(), run.dups(), run.missing()));
    }
    return run;
  }

  /** One table row; {@code bare} (null on the bare row itself) adds the ratios to it. */
  private static void row(Table t, String name, int loops, Side s, Side bare) {
    t.row(
        name,
        loops,
        Table.num(s.ingest().medianRequests()),
        micros(s.cpuPerRequest(), bare == null ? Double.NaN : bare.cpuPerRequest()),
        s.ingest().threads().perUnit(s.ingest().medianRequests()),
        s.relay().deliveriesCell(),
        micros(s.cpuPerDelivery(), bare == null ? Double.NaN : bare.cpuPerDelivery()),
        s.relay().cpu().threads().perUnit(s.relay().deliveriesPerSecond()),
        s.relay().latency().p99Ms(),
        String.format(
                "%.2f / %.2f / %.2f; ",
                s.ingest().serverCores(), s.ingest().benchCores(), s.ingest().otherCores())
            + s.relay().cores());
  }

  /** {@code 23.9} or, next to a bare figure, {@code 23.9 (1.4× bare)}. */
  private static String micros(double value, double bare) {
    String v = String.format("%.1f", value);
    return Double.isNaN(bare) ? v : v + String.format(" (%.1f× bare)", value / bare);
  }

  /** Issue 16's fan-out target for this loop count. */
  private static void judgeFanout(BenchContext ctx, int loops, Side vizrelay, Side bare) {
    double fanout = vizrelay.cpuPerDelivery() / bare.cpuPerDelivery();
    ctx.targets.add(
        "server CPU per delivery ≤ "
            + FANOUT_TARGET
            + " × bare, 1,000 sockets (loops="
            + loops
            + ")",
        String.format(
            "%.1f× (%.1f vs %.1f µs)", fanout, vizrelay.cpuPerDelivery(), bare.cpuPerDelivery()),
        fanout <= FANOUT_TARGET);
  }

  private static void notes(Table t) {
    t.note(
        "Server CPU per request / delivery: the server process's CPU seconds over the measured"
            + " interval (/proc/<pid>/stat) divided by the requests (deliveries) in it. The bare row's"
            + " ingest is BareServer, its relay BareFanoutServer (same poster, same 1,000 subscribers,"
            + " the bytes vizrelay sent for one update, rendered once per update and written to every"
            + " socket).");
    t.note(
        "Per thread: the same CPU split by thread (/proc/<pid>/task/*/stat, named by comm): each"
            + " busy event loop (vert.x-eventloop-thread-*) on its own, store = vizrelay-shard-*,"
            + " log = vizrelay-log-*, JIT = C1/C2 compiler threads, GC = GC/G1 threads, other ="
            + " the rest (Vert.x acceptor, VM thread, ...); groups under 0.05 µs are left out.");
  }
}
