package io.vizrelay.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grid's memory bound with PostgreSQL behind it (opt-in {@code cluster-pg-memory}): a loopback
 * cluster of the real service jars (1 ingest + 1 taskinfo member, {@code VIZRELAY_PG_COMMIT=sync})
 * is filled with 100 tasks of 10k points (1,000-point appends, one task after the other), once with
 * no bound and once with {@code VIZRELAY_HOT_MAX_BYTES} small; then the members' live heap after a
 * full GC, the hot bytes they report, the tasks evicted past the bound, and the latency of the
 * fill's appends and of 1-point appends to random tasks afterwards (which load an evicted task back
 * from PostgreSQL first).
 */
final class ClusterPgMemoryScenario implements Scenario {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  static final int BATCH = 1_000;
  static final long BOUND = 4L << 20;

  private int retries;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Override
  public String name() {
    return "cluster-pg-memory";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    int tasks = 100;
    int points = ctx.pick(10_000, 2_000);
    int probes = ctx.pick(400, 100);
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("ingest", 1);
    counts.put("taskinfo", 1);
    Table t =
        new Table(
            "Grid memory with PostgreSQL behind it: "
                + tasks
                + " tasks × "
                + Table.num(points)
                + " points (1 ingest + 1 taskinfo member, loopback, PostgreSQL sync)",
            "VIZRELAY_HOT_MAX_BYTES (per member)",
            "live heap Δ after GC (both members)",
            "hot bytes reported (both)",
            "tasks in the grid (owned)",
            "evicted past the bound",
            "loads",
            "fill append (1,000 points) p50 / p99 ms",
            "1-point append to a random task p50 / p99 ms",
            "503s retried");
    try (LocalPostgres pg = LocalPostgres.start()) {
      for (long bound : List.of(Long.MAX_VALUE / 4, BOUND)) {
        boolean bounded = bound == BOUND;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("VIZRELAY_PG_URL", pg.newDatabase(bounded ? "bench_mem_bound" : "bench_mem_free"));
        env.put("VIZRELAY_PG_COMMIT", "sync");
        env.put("VIZRELAY_HOT_IDLE_SECONDS", "3600");
        env.put("VIZRELAY_HOT_MAX_BYTES", Long.toString(bound));
        try (LocalCluster cluster =
            LocalCluster.start(ctx, ctx.options.serviceJarDir(), counts, env)) {
          List<LocalCluster.Node> nodes = cluster.nodes;
          int port = cluster.nodes("ingest").get(0).httpPort();
          post(port, PlotBodies.append("bench-mem-warm", "loss", 0, BATCH));
          long before = liveHeapKb(nodes);
          LongList fill = new LongList();
          for (int task = 0; task < tasks; task++) {
            for (int x = 0; x < points; x += BATCH) {
              fill.add(post(port, PlotBodies.append("bench-mem-" + task, "loss", x, BATCH)));
            }
          }
          if (bounded) {
            awaitUnder(nodes, bound);
          }
          long after = liveHeapKb(nodes);
          long hotBytes = sum(nodes, "vizrelay_store_hot_bytes");
          long hotTasks = sum(nodes, "vizrelay_store_hot_tasks");
          long evicted = sum(nodes, "vizrelay_store_unloads_bound_total");
          LongList random = new LongList();
          Random rnd = new Random(7);
          for (int i = 0; i < probes; i++) {
            random.add(
                post(
                    port,
                    PlotBodies.append("bench-mem-" + rnd.nextInt(tasks), "loss", points + i, 1)));
          }
          long loads = sum(nodes, "vizrelay_store_loads_total");
          Stats.Latency f = Stats.latency(fill);
          Stats.Latency r = Stats.latency(random);
          String label = bounded ? Table.bytes(bound) : "none";
          ctx.log(
              "cluster-pg-memory bound %s: heap Δ %s, hot %s in %d tasks, evicted %d, loads %d, fill p50 %s ms, random append p50 %s p99 %s ms",
              label,
              Table.bytes((after - before) * 1024),
              Table.bytes(hotBytes),
              hotTasks,
              evicted,
              loads,
              f.p50Ms(),
              r.p50Ms(),
              r.p99Ms());
          t.row(
              label,
              Table.bytes((after - before) * 1024),
              Table.bytes(hotBytes),
              hotTasks,
              evicted,
              loads,
              f.p50Ms() + " / " + f.p99Ms(),
              r.p50Ms() + " / " + r.p99Ms(),
              retries);
          retries = 0;
        }
      }
    }
    t.note(
        "Live heap Δ: used heap after a full GC (jcmd GC.run) of both member JVMs, after the fill minus before it; it includes each task's synchronous backup. Hot bytes: the members' own estimate of the tasks they own (vizrelay_store_hot_bytes). Bounded: the fill's first tasks are evicted as later ones arrive (least recently used first); a random append to an evicted task loads it from PostgreSQL first (its snapshot + frames after it, ring refilled), which the p99 shows. VIZRELAY_HOT_IDLE_SECONDS=3600: no idle eviction.");
    ctx.tables.add(t);
  }

  /** Waits (30 s at most) until every member reports its hot bytes under {@code bound}. */
  private void awaitUnder(List<LocalCluster.Node> nodes, long bound) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      boolean under = true;
      for (LocalCluster.Node n : nodes) {
        under &= metric(n.httpPort(), "vizrelay_store_hot_bytes") <= bound;
      }
      if (under) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private long sum(List<LocalCluster.Node> nodes, String name) throws Exception {
    long total = 0;
    for (LocalCluster.Node n : nodes) {
      total += metric(n.httpPort(), name);
    }
    return total;
  }

  private long metric(int port, String name) throws Exception {
    String text =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new IllegalStateException("no " + name + " in /metrics of port " + port);
  }

  /**
   * Posts an append, retrying a 503 (as a visdom job's retry would: the shared machine can stall a
   * member past a grid or registry timeout); returns the latency of the accepted attempt in ns.
   */
  private long post(int port, io.vertx.core.buffer.Buffer body) throws Exception {
    for (int attempt = 1; ; attempt++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/update"))
                  .timeout(Duration.ofSeconds(120))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long nanos = System.nanoTime() - t0;
      if (r.statusCode() == 200) {
        return nanos;
      }
      if (r.statusCode() != 503 || attempt == 5) {
        throw new IllegalStateException(
            "POST /update answered " + r.statusCode() + ": " + r.body());
      }
      retries++;
      Thread.sleep(200);
    }
  }

  /** Used heap after a full GC of every node, in KiB. */
  private static long liveHeapKb(List<LocalCluster.Node> nodes) {
    long kb = 0;
    for (LocalCluster.Node n : nodes) {
      n.process().jcmd("GC.run");
      String info = n.process().jcmd("GC.heap_info");
      Matcher m = USED.matcher(info);
      if (!m.find()) {
        throw new IllegalStateException("no used heap in jcmd GC.heap_info: " + info);
      }
      kb += Long.parseLong(m.group(1));
    }
    return kb;
  }
}
