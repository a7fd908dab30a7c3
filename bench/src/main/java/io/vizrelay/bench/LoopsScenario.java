package io.vizrelay.bench;

/**
 * Event-loop scaling (issue 16): the embedded server ({@code VIZRELAY_FSYNC=batch}) with {@code
 * VIZRELAY_EVENT_LOOPS} = 1 and 2, next to the bare ceiling with as many server instances. Ingest:
 * 8 posters x 1 point, requests/s and server CPU per request. Relay: 1,000 sockets on one task at
 * 200 updates/s, deliveries/s and server CPU per delivery. On a 2-core machine shared with the load
 * generator, two loops can only show what a second loop costs or saves; more cores are needed to
 * show the scaling itself.
 */
final class LoopsScenario implements Scenario {
  static final int[] LOOPS = {1, 2};
  static final IngestLoad.Shape SHAPE = new IngestLoad.Shape(8, 1, 1);
  static final int RELAY_SOCKETS = 1000;
  static final int RELAY_RATE = 200;

  @Override
  public String name() {
    return "loops";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    IngestLoad.Timing timing = new IngestLoad.Timing(ctx.seconds(1, 0.5), 1, ctx.seconds(4, 2));
    Table t =
        new Table(
            "Event loops: ingest 8x1 and relay 1,000 sockets x 200 updates/s, by VIZRELAY_EVENT_LOOPS",
            "server",
            "loops",
            "ingest req/s",
            "server CPU µs / request",
            "relay deliveries/s (expected)",
            "server CPU µs / delivery",
            "relay p99 ms",
            "CPU cores: server / bench / other (ingest)");
    RelayMeasurement relay = RelayMeasurement.open(ctx);
    for (int loops : LOOPS) {
      try (ServerProcess bare = ctx.bare(loops)) {
        IngestScenario.warmUp(ctx, bare);
        IngestLoad.Result r = ingest(ctx, bare, "bare", loops, timing);
        t.row(
            "bare Vert.x",
            loops,
            Table.num(r.medianRequests()),
            perRequest(r),
            "—",
            "—",
            "—",
            cores(r));
      }
      try (ServerProcess server = ctx.vizrelay("batch", loops)) {
        IngestScenario.warmUp(ctx, server);
        IngestLoad.Result r = ingest(ctx, server, "vizrelay", loops, timing);
        RelayTarget target = RelayTarget.of(server);
        relay.warmUp(target, "bench-loops-warmup-" + loops);
        RelayMeasurement.Run run =
            relay.run(
                target,
                "bench-loops-relay-" + loops,
                RELAY_SOCKETS,
                RELAY_RATE,
                RelayMeasurement.Timing.of(ctx));
        relay.report("loops", run);
        t.row(
            "vizrelay fsync=batch",
            loops,
            Table.num(r.medianRequests()),
            perRequest(r),
            run.deliveriesCell(),
            String.format("%.1f", run.cpuPerThousand() * 1000),
            run.latency().p99Ms(),
            cores(r));
        if (run.gaps() + run.dups() + run.missing() > 0) {
          ctx.observe(
              "loops="
                  + loops
                  + ": relay gaps "
                  + run.gaps()
                  + ", dups "
                  + run.dups()
                  + ", missing "
                  + run.missing());
        }
      }
    }
    t.note(
        "Server CPU per request / delivery: the server process's CPU seconds over the measured"
            + " interval divided by the requests (deliveries) in it.");
    ctx.tables.add(t);
  }

  private static IngestLoad.Result ingest(
      BenchContext ctx, ServerProcess server, String kind, int loops, IngestLoad.Timing timing)
      throws Exception {
    IngestLoad.Result r =
        new IngestLoad(
                ctx.vertx,
                server,
                SHAPE,
                new IngestLoad.Target("bench-loops-" + kind + "-" + loops, "loss", 20_000))
            .run(timing);
    ctx.log(
        "loops %-28s %s req/s, server %.1f µs/request, cores server %.2f bench %.2f other %.2f",
        server.label,
        Table.num(r.medianRequests()),
        r.serverCores() * 1e6 / r.medianRequests(),
        r.serverCores(),
        r.benchCores(),
        r.otherCores());
    return r;
  }

  private static String perRequest(IngestLoad.Result r) {
    return String.format("%.1f", r.serverCores() * 1e6 / r.medianRequests());
  }

  private static String cores(IngestLoad.Result r) {
    return String.format("%.2f / %.2f / %.2f", r.serverCores(), r.benchCores(), r.otherCores());
  }
}
