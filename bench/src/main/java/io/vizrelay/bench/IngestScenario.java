package io.vizrelay.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingest throughput: P = 1, 8 posters x N = 1, 100 points per request (plus 8x1 pipelined 4 deep),
 * against the bare ceiling ({@link BareServer}), the relay floor ({@link BareJsonServer}) and the
 * embedded server with {@code VIZRELAY_FSYNC=always} and {@code batch}. The four servers run side
 * by side (idle when not measured), the bare ones with as many instances as vizrelay's default
 * event loops, and the runs are interleaved — bare, floor, always, batch, bare, ... — so that load
 * from other processes on the machine hits all alike and the ratios stay meaningful.
 */
final class IngestScenario implements Scenario {
  static final List<IngestLoad.Shape> SHAPES =
      List.of(
          new IngestLoad.Shape(1, 1, 1),
          new IngestLoad.Shape(1, 100, 1),
          new IngestLoad.Shape(8, 1, 1),
          new IngestLoad.Shape(8, 100, 1),
          new IngestLoad.Shape(8, 1, 1, true),
          new IngestLoad.Shape(8, 1, 4));

  /** Windows are rolled over at this size, well under the window-size scenario's 100k. */
  static final long ROTATE_AT = 20_000;

  /**
   * {@code bare}: the ceiling (reads each body); {@code json}: the relay floor (parses each body
   * and writes it back, {@link BareJsonServer}); then vizrelay with each fsync mode.
   */
  static final List<String> SERVERS = List.of("bare", "json", "always", "batch");

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    int reps = ctx.pick(3, 1);
    IngestLoad.Timing timing = new IngestLoad.Timing(ctx.seconds(1, 0.5), 1, ctx.seconds(3, 1));
    Map<String, ServerProcess> servers = new LinkedHashMap<>();
    Map<String, Map<IngestLoad.Shape, List<IngestLoad.Result>>> runs = new LinkedHashMap<>();
    try {
      for (String name : SERVERS) {
        servers.put(name, start(ctx, name));
        runs.put(name, new LinkedHashMap<>());
      }
      for (ServerProcess server : servers.values()) {
        warmUp(ctx, server);
      }
      for (IngestLoad.Shape shape : shapes(ctx)) {
        for (int rep = 0; rep < reps; rep++) {
          for (var e : servers.entrySet()) {
            IngestLoad.Result r = runOnce(ctx, e.getValue(), shape, rep, timing);
            runs.get(e.getKey()).computeIfAbsent(shape, s -> new ArrayList<>()).add(r);
          }
        }
      }
      for (ServerProcess server : servers.values()) {
        if (!server.alive()) {
          ctx.observe(server.label + " died during the ingest runs: " + server.logTail());
        }
      }
    } finally {
      servers.values().forEach(ServerProcess::close);
    }
    Map<String, Map<IngestLoad.Shape, IngestLoad.Result>> merged = new LinkedHashMap<>();
    runs.forEach(
        (server, byShape) -> {
          Map<IngestLoad.Shape, IngestLoad.Result> m = new LinkedHashMap<>();
          byShape.forEach((shape, list) -> m.put(shape, IngestLoad.Result.merge(list)));
          merged.put(server, m);
        });
    report(ctx, merged, reps, timing);
  }

  private static ServerProcess start(BenchContext ctx, String name) throws Exception {
    return switch (name) {
      case "bare" -> ctx.bare();
      case "json" -> ctx.bareJson();
      default -> ctx.vizrelay(name);
    };
  }

  private static String label(String name) {
    return switch (name) {
      case "bare" -> "bare Vert.x (ceiling)";
      case "json" -> "bare + JSON parse/write (floor)";
      default -> "vizrelay fsync=" + name;
    };
  }

  private static IngestLoad.Result runOnce(
      BenchContext ctx,
      ServerProcess server,
      IngestLoad.Shape shape,
      int rep,
      IngestLoad.Timing timing)
      throws Exception {
    String task =
        "bench-ingest-"
            + shape.posters()
            + "x"
            + shape.points()
            + (shape.asksFirst() ? "w" : "")
            + "d"
            + shape.depth()
            + "-r"
            + rep;
    IngestLoad.Result r =
        new IngestLoad(ctx.vertx, server, shape, new IngestLoad.Target(task, "loss", ROTATE_AT))
            .run(timing);
    ctx.log(
        "ingest %-22s %-18s %10s req/s %12s points/s p99 %6s ms  cores server %.2f bench %.2f other %.2f",
        server.label,
        shape.label(),
        Table.num(r.medianRequests()),
        Table.num(r.medianPoints()),
        r.latency().p99Ms(),
        r.serverCores(),
        r.benchCores(),
        r.otherCores());
    if (r.errors() > 0) {
      ctx.observe(
          server.label
              + " "
              + shape.label()
              + ": "
              + r.errors()
              + " failed requests, first: "
              + r.firstError());
    }
    return r;
  }

  private static List<IngestLoad.Shape> shapes(BenchContext ctx) {
    List<String> only = ctx.options.shapes();
    return only.isEmpty()
        ? SHAPES
        : SHAPES.stream()
            .filter(
                s ->
                    only.contains(s.label().split(" ")[0])
                        && (s.depth() == 1 || only.contains("pipelined")))
            .toList();
  }

  /** Warm-up rounds stop here even if the JIT is still busy (said in the log). */
  static final Duration WARMUP_LIMIT = Duration.ofSeconds(45);

  /**
   * JIT-warms server and client: rounds of every measured shape (unrecorded) until the server's JIT
   * is quiet.
   */
  static void warmUp(BenchContext ctx, ServerProcess server) throws Exception {
    IngestLoad.Timing timing = new IngestLoad.Timing(ctx.seconds(1, 0.5), 0, Duration.ZERO);
    JitWarmup.until(
        ctx,
        "ingest " + server.label,
        List.of(server.pid()),
        WARMUP_LIMIT,
        round -> {
          for (IngestLoad.Shape shape : SHAPES) {
            new IngestLoad(
                    ctx.vertx,
                    server,
                    shape,
                    new IngestLoad.Target(
                        "bench-warmup-"
                            + shape.posters()
                            + "x"
                            + shape.points()
                            + "d"
                            + shape.depth()
                            + "-"
                            + round,
                        "loss",
                        ROTATE_AT))
                .run(timing);
          }
        });
  }

  private void report(
      BenchContext ctx,
      Map<String, Map<IngestLoad.Shape, IngestLoad.Result>> byServer,
      int reps,
      IngestLoad.Timing timing) {
    List<IngestLoad.Shape> shapes = shapes(ctx);
    Table t =
        new Table(
            "Ingest: POST /update throughput (closed loop, keep-alive)",
            "P x N",
            "server",
            "requests/s median (min–max)",
            "points/s",
            "vs bare",
            "latency p50 / p99 ms",
            "CPU cores: server / bench / other",
            "server CPU µs/request",
            "per thread µs/request",
            "errors");
    for (IngestLoad.Shape shape : shapes) {
      IngestLoad.Result bare = byServer.get("bare").get(shape);
      for (var e : byServer.entrySet()) {
        IngestLoad.Result r = e.getValue().get(shape);
        String server = label(e.getKey());
        t.row(
            shape.label(),
            server,
            Table.spread(r.requestRates(), 1),
            Table.num(r.medianPoints()),
            Table.pct(r.medianRequests() / bare.medianRequests()),
            r.latency().p50Ms() + " / " + r.latency().p99Ms(),
            String.format("%.2f / %.2f / %.2f", r.serverCores(), r.benchCores(), r.otherCores()),
            String.format(
                "%.1f (%.2f× bare)", r.cpuPerRequest(), r.cpuPerRequest() / bare.cpuPerRequest()),
            r.threads().perUnit(r.medianRequests()),
            r.errors());
      }
    }
    t.note(
        String.format(
            "Each cell: %d interleaved run(s) of %.0f s after a %.1f s warm-up each; median run with"
                + " min–max. Before any cell, each server is warmed with rounds of every shape until its JIT compiler threads"
                + " used < %.2f cores in a round (at most %d s).",
            reps,
            timing.slice().toMillis() / 1000.0,
            timing.warmup().toMillis() / 1000.0,
            JitWarmup.QUIET_CORES,
            WARMUP_LIMIT.toSeconds()));
    t.note(
        "1 request outstanding per poster (the visdom client's behaviour) unless marked pipelined; each poster"
            + " appends to its own task, and rolls to a new window every "
            + ROTATE_AT
            + " points.");
    t.note(
        "bare + JSON: the ceiling plus the least work any relay of these bodies does, parsing each"
            + " into a tree and writing the tree back to bytes (Jackson readTree, writeValueAsBytes);"
            + " no state, no numbering, no log. Its ratio to bare is what parsing and writing the"
            + " numbers cost by themselves.");
    t.note(
        "8x1w: each append is the visdom client's pair, POST /win_exists then POST /update (its"
            + " line(update='append') asks first); requests/s counts appends, latency covers both.");
    t.note(
        "CPU cores: busy cores of the server process, of the load generator, and of every other process on the"
            + " machine during the measured seconds (\"other\" > 0 means the run shared the CPUs with something else).");
    ctx.tables.add(t);
    if (shapes.size() < SHAPES.size()) {
      return;
    }
    double bare81 = byServer.get("bare").get(SHAPES.get(2)).medianRequests();
    for (String fsync : List.of("always", "batch")) {
      IngestLoad.Result r81 = byServer.get(fsync).get(SHAPES.get(2));
      double ratio = r81.medianRequests() / bare81;
      ctx.targets.add(
          "ingest 8x1 ≥ 0.7 × bare ceiling (fsync=" + fsync + ")",
          Table.pct(ratio)
              + " ("
              + Table.num(r81.medianRequests())
              + " vs "
              + Table.num(bare81)
              + " req/s)",
          ratio >= 0.7);
    }
    for (String fsync : List.of("always", "batch")) {
      IngestLoad.Result r = byServer.get(fsync).get(SHAPES.get(3));
      ctx.targets.add(
          "ingest 8x100 ≥ 1M points/s (fsync=" + fsync + ")",
          Table.num(r.medianPoints()) + " points/s",
          r.medianPoints() >= 1_000_000);
    }
  }
}
