package io.vizrelay.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The task registry (issue 4, and issue 5's registry in the grid): the same closed-loop load on the
 * embedded server (memory + {@code taskinfo.db}, fsync=always) and on a loopback cluster whose two
 * taskinfo replicas share the grid registry (plus an ingest member, which owns partitions too).
 * {@value #CLIENTS} clients, each one request outstanding; in the cluster they alternate between
 * the replicas, so about half the ops of a replica run on a partition another member owns.
 * Operations: register {@value #TASKS} tasks ({@value #USERS} users), then for a fixed time each:
 * get one task, list one user's tasks, heartbeat one task.
 */
final class RegistryScenario implements Scenario {
  static final int CLIENTS = 8;
  static final int TASKS = 1_600;
  static final int USERS = 80;

  @Override
  public String name() {
    return "registry";
  }

  /** One kind of request: its path and body (null = GET) for a random task / user. */
  private record Op(String name, java.util.function.IntFunction<HttpRequest.Builder> request) {}

  @Override
  public void run(BenchContext ctx) throws Exception {
    double seconds = ctx.pick(3.0, 1.0);
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("ingest", 1);
    counts.put("taskinfo", 2);
    Table t =
        new Table(
            "Registry: embedded vs the grid registry (loopback cluster, 2 taskinfo replicas + 1 ingest member)",
            "operation",
            "server",
            "ops/s",
            "latency p50 / p99 / max ms",
            "cluster ÷ embedded: ops/s, p50, p99",
            "errors");
    ServerProcess embedded = null;
    LocalCluster cluster = null;
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool).build();
    try {
      embedded = ctx.vizrelay("always");
      cluster = LocalCluster.start(ctx, ctx.options.serviceJarDir(), counts);
      List<Integer> single = List.of(embedded.port);
      List<Integer> replicas =
          cluster.nodes.stream()
              .filter(n -> n.service().equals("taskinfo"))
              .map(LocalCluster.Node::httpPort)
              .toList();
      warmUp(ctx, "embedded", http, single, List.of(embedded.pid()));
      warmUp(
          ctx,
          "cluster",
          http,
          replicas,
          cluster.nodes.stream().map(n -> n.process().pid()).toList());
      Map<String, Result> e = measureAll(ctx, http, single, seconds);
      Map<String, Result> c = measureAll(ctx, http, replicas, seconds);
      for (String op : e.keySet()) {
        Result re = e.get(op);
        Result rc = c.get(op);
        t.row(op, "embedded", Table.num(re.opsPerSecond()), lat(re.latency()), "", re.errors());
        t.row(
            op,
            "cluster",
            Table.num(rc.opsPerSecond()),
            lat(rc.latency()),
            String.format(
                "×%.2f, ×%.1f, ×%.1f",
                rc.opsPerSecond() / re.opsPerSecond(),
                (double) rc.latency().p50() / Math.max(1, re.latency().p50()),
                (double) rc.latency().p99() / Math.max(1, re.latency().p99())),
            rc.errors());
        ctx.log(
            "registry %s: embedded %s ops/s p50 %s ms p99 %s ms | cluster %s ops/s p50 %s ms p99 %s ms",
            op,
            Table.num(re.opsPerSecond()),
            re.latency().p50Ms(),
            re.latency().p99Ms(),
            Table.num(rc.opsPerSecond()),
            rc.latency().p50Ms(),
            rc.latency().p99Ms());
      }
      for (String w : cluster.warnings(10)) {
        ctx.observe("cluster log: " + w);
      }
    } finally {
      pool.shutdownNow();
      if (cluster != null) {
        cluster.close();
      }
      if (embedded != null) {
        embedded.close();
      }
    }
    t.note(
        "Each server is first warmed with unrecorded rounds of every operation (tasks of their own) until its"
            + " processes' JIT compiler threads are nearly idle. "
            + CLIENTS
            + " clients (JDK HttpClient, HTTP/1.1 keep-alive), one request outstanding each, on the bench's"
            + " 2 shared cores; register = "
            + TASKS
            + " tasks of "
            + USERS
            + " users (20 each, every one new); get, list"
            + " (one user's 20 tasks, one page) and heartbeat run "
            + String.format("%.0f", seconds)
            + " s each on random"
            + " tasks. Embedded: `java -jar vizrelay.jar`, registry in memory + taskinfo.db (SQLite WAL, fsync=always)."
            + " Cluster: the shaded jars as child JVMs ("
            + LocalCluster.HEAP
            + "), the registry a Hazelcast map with one"
            + " synchronous backup (in memory, two copies); clients alternate between the two taskinfo replicas.");
    ctx.tables.add(t);
  }

  private static String lat(Stats.Latency l) {
    return l.p50Ms() + " / " + l.p99Ms() + " / " + l.maxMs();
  }

  record Result(double opsPerSecond, Stats.Latency latency, int errors) {}

  private static Map<String, Result> measureAll(
      BenchContext ctx, HttpClient http, List<Integer> ports, double seconds) throws Exception {
    String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    Map<String, Result> results = new LinkedHashMap<>();
    AtomicInteger next = new AtomicInteger();
    results.put(
        "register",
        measure(
            http,
            ports,
            Double.NaN,
            i -> {
              int n = next.getAndIncrement();
              if (n >= TASKS) {
                return null;
              }
              String body =
                  "{\"task_id\":\""
                      + task(run, n)
                      + "\",\"user_id\":\""
                      + user(run, n)
                      + "\",\"meta\":{\"lr\":0.001}}";
              return request(ports.get(i % ports.size()), "/api/tasks")
                  .POST(HttpRequest.BodyPublishers.ofString(body));
            }));
    results.put(
        "get",
        measure(
            http,
            ports,
            seconds,
            i ->
                request(ports.get(i % ports.size()), "/api/tasks/" + task(run, random(TASKS)))
                    .GET()));
    results.put(
        "list (20 tasks)",
        measure(
            http,
            ports,
            seconds,
            i ->
                request(
                        ports.get(i % ports.size()),
                        "/api/tasks?user_id=" + user(run, random(USERS)))
                    .GET()));
    results.put(
        "heartbeat",
        measure(
            http,
            ports,
            seconds,
            i ->
                request(
                        ports.get(i % ports.size()),
                        "/api/tasks/" + task(run, random(TASKS)) + "/heartbeat")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))));
    ctx.log("registry: measured %s", ports);
    return results;
  }

  /**
   * Unrecorded rounds of every operation, on tasks of their own, until the JIT of {@code pids} is
   * quiet.
   */
  private static void warmUp(
      BenchContext ctx, String what, HttpClient http, List<Integer> ports, List<Long> pids)
      throws Exception {
    JitWarmup.until(
        ctx,
        "registry " + what,
        pids,
        IngestScenario.WARMUP_LIMIT,
        round ->
            warmUpRound(
                http,
                ports,
                "w" + round + Long.toString(System.nanoTime() % 1_000_000, 36),
                ctx.pick(2.0, 0.5)));
  }

  private static void warmUpRound(HttpClient http, List<Integer> ports, String run, double seconds)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    measure(
        http,
        ports,
        seconds,
        i -> {
          int n = next.getAndIncrement();
          String body =
              "{\"task_id\":\"" + task(run, n) + "\",\"user_id\":\"" + user(run, n) + "\"}";
          return n % 4 == 0
              ? request(ports.get(i % ports.size()), "/api/tasks")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
              : n % 4 == 1
                  ? request(ports.get(i % ports.size()), "/api/tasks/" + task(run, n - 1)).GET()
                  : n % 4 == 2
                      ? request(
                              ports.get(i % ports.size()), "/api/tasks?user_id=" + user(run, n - 2))
                          .GET()
                      : request(
                              ports.get(i % ports.size()),
                              "/api/tasks/" + task(run, n - 3) + "/heartbeat")
                          .POST(HttpRequest.BodyPublishers.ofString("{}"));
        });
  }

  private static String task(String run, int n) {
    return user(run, n) + "-t" + n;
  }

  private static String user(String run, int n) {
    return "b" + run + "u" + (n % USERS);
  }

  private static int random(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  private static HttpRequest.Builder request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json");
  }

  /**
   * {@link #CLIENTS} client threads, each sending the requests {@code next} makes (by request
   * number) until it returns null or {@code seconds} passed; a 2xx counts, anything else is an
   * error.
   */
  private static Result measure(
      HttpClient http,
      List<Integer> ports,
      double seconds,
      java.util.function.IntFunction<HttpRequest.Builder> next)
      throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long start = System.nanoTime();
    long end = Double.isNaN(seconds) ? Long.MAX_VALUE : start + (long) (seconds * 1e9);
    AtomicInteger errors = new AtomicInteger();
    List<Future<LongList>> each = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      each.add(
          clients.submit(
              () -> {
                LongList latencies = new LongList();
                for (int i = client; System.nanoTime() < end; i += CLIENTS) {
                  HttpRequest.Builder b = next.apply(i);
                  if (b == null) {
                    break;
                  }
                  long t0 = System.nanoTime();
                  HttpResponse<Void> r =
                      http.send(b.build(), HttpResponse.BodyHandlers.discarding());
                  latencies.add(System.nanoTime() - t0);
                  if (r.statusCode() / 100 != 2) {
                    errors.incrementAndGet();
                  }
                }
                return latencies;
              }));
    }
    LongList all = new LongList();
    for (Future<LongList> f : each) {
      all.addAll(f.get());
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    clients.shutdown();
    return new Result(all.size() / elapsed, Stats.latency(all), errors.get());
  }
}
