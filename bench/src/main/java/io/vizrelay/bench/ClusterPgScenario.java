package io.vizrelay.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL behind the grid (opt-in {@code cluster-pg}): cluster ingest 8x1 and 8x100 on a
 * loopback cluster of the real service jars (1 ingest + 1 taskinfo member, so every apply has a
 * synchronous backup), without PostgreSQL, with {@code VIZRELAY_PG_COMMIT=sync} and with {@code
 * async}, against a local PostgreSQL with default durability (fsync on); then the cold start of a
 * 1M-point task: the cluster is restarted whole and the first request on the task loads it from
 * PostgreSQL (snapshot + frames after it).
 */
final class ClusterPgScenario implements Scenario {
  static final List<IngestLoad.Shape> SHAPES =
      List.of(new IngestLoad.Shape(8, 1, 1), new IngestLoad.Shape(8, 100, 1));
  static final int COLD_POINTS = 1_000_000;
  static final int COLD_BATCH = 1_000;

  @Override
  public String name() {
    return "cluster-pg";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("ingest", 1);
    counts.put("taskinfo", 1);
    IngestLoad.Timing timing = new IngestLoad.Timing(ctx.seconds(2, 0.5), 3, ctx.seconds(3, 1));
    Table t =
        new Table(
            "Cluster ingest with PostgreSQL behind the grid (1 ingest + 1 taskinfo member, loopback; PostgreSQL fsync on)",
            "shape",
            "grid",
            "requests/s (median of 3 slices)",
            "points/s",
            "latency p50 / p99 ms",
            "÷ grid only",
            "ingest JVM cores",
            "errors");
    Map<IngestLoad.Shape, Double> gridOnly = new LinkedHashMap<>();
    try (LocalPostgres pg = LocalPostgres.start()) {
      for (String mode : List.of("grid only", "sync", "async")) {
        Map<String, String> env = new LinkedHashMap<>();
        if (!mode.equals("grid only")) {
          env.put("VIZRELAY_PG_URL", pg.newDatabase("bench_" + mode));
          env.put("VIZRELAY_PG_COMMIT", mode);
        }
        try (LocalCluster cluster =
            LocalCluster.start(ctx, ctx.options.serviceJarDir(), counts, env)) {
          ServerProcess ingest = ingestNode(cluster);
          JitWarmup.until(
              ctx,
              "cluster-pg " + mode,
              cluster.nodes.stream().map(n -> n.process().pid()).toList(),
              Duration.ofSeconds(30),
              round -> {
                for (IngestLoad.Shape s : SHAPES) {
                  new IngestLoad(ctx.vertx, ingest, s, target("warm-" + mode + "-" + round, s))
                      .run(new IngestLoad.Timing(ctx.seconds(1, 0.5), 0, Duration.ZERO));
                }
              });
          for (IngestLoad.Shape s : SHAPES) {
            IngestLoad.Result r =
                new IngestLoad(ctx.vertx, ingest, s, target("m-" + mode, s)).run(timing);
            if (mode.equals("grid only")) {
              gridOnly.put(s, r.medianRequests());
            }
            if (r.errors() > 0) {
              ctx.observe(
                  "cluster-pg "
                      + mode
                      + " "
                      + s.label()
                      + ": "
                      + r.errors()
                      + " failed requests, first: "
                      + r.firstError());
            }
            ctx.log(
                "cluster-pg %-9s %-6s %10s req/s p50 %s ms p99 %s ms errors %d",
                mode,
                s.label(),
                Table.num(r.medianRequests()),
                r.latency().p50Ms(),
                r.latency().p99Ms(),
                r.errors());
            t.row(
                s.label(),
                mode.equals("grid only") ? "grid only" : "PostgreSQL " + mode,
                Table.num(r.medianRequests()),
                Table.num(r.medianPoints()),
                r.latency().p50Ms() + " / " + r.latency().p99Ms(),
                String.format("×%.2f", r.medianRequests() / gridOnly.get(s)),
                String.format("%.2f", r.serverCores()),
                r.errors());
          }
        }
      }
      t.note(
          "Closed loop, 8 posters each with one request outstanding; own task per poster; 1 s warm-up rounds until the JIT of both JVMs is quiet. ingest JVM cores: the ingest member only (the partition owner may be either member).");
      ctx.tables.add(t);
      coldStart(ctx, pg, counts);
    }
  }

  /** Fills a task with 1M points, restarts the whole cluster, times the first request on it. */
  private static void coldStart(BenchContext ctx, LocalPostgres pg, Map<String, Integer> counts)
      throws Exception {
    Map<String, String> env =
        Map.of("VIZRELAY_PG_URL", pg.newDatabase("bench_cold"), "VIZRELAY_PG_COMMIT", "sync");
    String task = "bench-cold";
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long fillNanos;
    try (LocalCluster cluster = LocalCluster.start(ctx, ctx.options.serviceJarDir(), counts, env)) {
      int port = ingestNode(cluster).port;
      int batches = ctx.quick() ? COLD_POINTS / COLD_BATCH / 10 : COLD_POINTS / COLD_BATCH;
      long t0 = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        post(http, port, PlotBodies.append(task, "loss", b * COLD_BATCH, COLD_BATCH));
      }
      fillNanos = System.nanoTime() - t0;
    }
    Table t =
        new Table(
            "Cold start of a task from PostgreSQL (whole cluster restarted; first request loads it)",
            "points",
            "frames",
            "filled in s",
            "first request (load + apply) ms",
            "second request ms");
    try (LocalCluster cluster = LocalCluster.start(ctx, ctx.options.serviceJarDir(), counts, env)) {
      int port = ingestNode(cluster).port;
      int points = ctx.quick() ? COLD_POINTS / 10 : COLD_POINTS;
      long t0 = System.nanoTime();
      post(http, port, PlotBodies.append(task, "loss", points, 1));
      long first = System.nanoTime() - t0;
      long t1 = System.nanoTime();
      post(http, port, PlotBodies.append(task, "loss", points + 1, 1));
      long second = System.nanoTime() - t1;
      ctx.log(
          "cluster-pg cold start: %d points, first request %.1f ms, second %.1f ms",
          points, first / 1e6, second / 1e6);
      t.row(
          Table.num(points),
          Table.num(points / COLD_BATCH),
          String.format("%.1f", fillNanos / 1e9),
          String.format("%.1f", first / 1e6),
          String.format("%.1f", second / 1e6));
    }
    t.note(
        "VIZRELAY_PG_COMMIT=sync, VIZRELAY_PG_SNAPSHOT_FRAMES=1000 (default): the load reads the latest snapshot and the frames after it, replays them, and refills the ring.");
    ctx.tables.add(t);
  }

  private static void post(HttpClient http, int port, io.vertx.core.buffer.Buffer body)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/update"))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST /update answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static ServerProcess ingestNode(LocalCluster cluster) {
    return cluster.nodes.stream()
        .filter(n -> n.service().equals("ingest"))
        .findFirst()
        .orElseThrow()
        .process();
  }

  private static IngestLoad.Target target(String prefix, IngestLoad.Shape s) {
    return new IngestLoad.Target(
        "bench-pg-" + prefix.replace(' ', '-') + "-" + s.posters() + "x" + s.points(),
        "loss",
        20_000);
  }
}
