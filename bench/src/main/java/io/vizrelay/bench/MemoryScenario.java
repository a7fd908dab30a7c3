package io.vizrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory that follows what is watched (issue 13), on the embedded jar:
 *
 * <ul>
 *   <li>live heap per stored point: points in, full GC ({@code jcmd GC.run}), used-heap delta ÷
 *       points, with every task hot;
 *   <li>heap after a restart (nothing loaded) and after the tasks were loaded and went cold again;
 *   <li>cold-load time of a 100k- and a 1M-point task: {@code /win_exists} on a cold task, which
 *       loads it from its last snapshot plus the frames after it (median of several runs);
 *   <li>start-up with 1,000 stored tasks of 100k points: process start to {@code /health} 200 (and
 *       on an empty directory), and the first read of one of them, checked point by point.
 * </ul>
 */
final class MemoryScenario implements Scenario {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  private static final Map<String, String> STAY_HOT = Map.of("VIZRELAY_HOT_IDLE_SECONDS", "3600");
  private static final Map<String, String> GO_COLD = Map.of("VIZRELAY_HOT_IDLE_SECONDS", "1");
  private static final String SHAPE_FILE = "bench-startup-shape";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Path dir = Files.createTempDirectory("vizrelay-memory-");
    int big = ctx.pick(1_000_000, 200_000);
    int bigTasks = ctx.pick(3, 1);
    int small = 100_000;
    int smallTasks = ctx.pick(10, 2);
    long points = (long) big * bigTasks + (long) small * smallTasks;

    ServerProcess hot =
        ServerProcess.vizrelayIn(
            dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts(), STAY_HOT);
    LateJoinScenario.fill(ctx, hot, "mem-warm", 1000);
    long before = liveHeapKb(hot);
    for (int i = 0; i < bigTasks; i++) {
      LateJoinScenario.fill(ctx, hot, "mem-big-" + i, big);
    }
    for (int i = 0; i < smallTasks; i++) {
      LateJoinScenario.fill(ctx, hot, "mem-small-" + i, small);
    }
    long after = liveHeapKb(hot);
    double perPoint = (after - before) * 1024.0 / points;
    long rss = hot.rssKb();
    Long estimated = metricOrNull(hot.port, "vizrelay_store_hot_bytes");
    if (estimated == null) {
      // a server without hot and cold tasks (main before issue 13): only the per-point figure
      Table t =
          new Table(
              "Memory: live heap per stored point (server without hot/cold tasks)",
              "points",
              "tasks",
              "live heap Δ",
              "B/point",
              "RSS");
      t.row(
          points,
          bigTasks + smallTasks + 1,
          Table.bytes((after - before) * 1024),
          Table.num(perPoint),
          Table.mb(rss));
      ctx.tables.add(t);
      ctx.log("memory: %.1f B/point over %d points", perPoint, points);
      hot.close();
      return;
    }
    hot.kill9();

    long t0 = System.nanoTime();
    ServerProcess cold =
        ServerProcess.vizrelayIn(
            dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts(), GO_COLD);
    long restartNanos = System.nanoTime() - t0;
    long coldStart = liveHeapKb(cold);
    int runs = ctx.pick(5, 2);
    List<Long> bigLoads = new ArrayList<>();
    List<Long> smallLoads = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      bigLoads.add(coldLoad(ctx, cold, "mem-big-0"));
      smallLoads.add(coldLoad(ctx, cold, "mem-small-" + (r % smallTasks)));
    }
    awaitAllCold(cold);
    long coldAfter = liveHeapKb(cold);
    cold.close();

    Table heap =
        new Table(
            "Memory: live heap per stored point (every task hot), then cold",
            "points",
            "tasks",
            "live heap Δ",
            "B/point",
            "store estimate",
            "RSS",
            "restart → healthy ms",
            "heap at start (all cold)",
            "heap after loads went cold");
    heap.row(
        points,
        bigTasks + smallTasks + 1,
        Table.bytes((after - before) * 1024),
        Table.num(perPoint),
        Table.bytes(estimated),
        Table.mb(rss),
        Stats.ms(restartNanos),
        Table.bytes(coldStart * 1024),
        Table.bytes(coldAfter * 1024));
    ctx.tables.add(heap);
    Table loads =
        new Table(
            "Memory: cold-load time (/win_exists on a cold task: last snapshot + later frames)",
            "task points",
            "p50 ms",
            "max ms",
            "runs");
    loads.row(small, ms(smallLoads, 50), ms(smallLoads, 100), runs);
    loads.row(big, ms(bigLoads, 50), ms(bigLoads, 100), runs);
    ctx.tables.add(loads);
    ctx.log(
        "memory: %.1f B/point over %d points; cold load %d points p50 %s ms, %d points p50 %s ms",
        perPoint, points, small, ms(smallLoads, 50), big, ms(bigLoads, 50));
    startUp(ctx);
  }

  /**
   * Start-up with many stored tasks (issue 13: 1,000 tasks of 100k points): process start to {@code
   * /health} 200, on that data directory and on an empty one (start-up must not grow with history),
   * the server's CPU seconds at that moment (a figure the machine's load does not inflate), then
   * the first read of a task, checked point by point. {@code --startup-data <dir>} keeps the
   * generated directory for the next run (it takes minutes to make).
   */
  private void startUp(BenchContext ctx) throws Exception {
    int tasks = ctx.pick(1000, 200);
    int each = ctx.pick(100_000, 1_000);
    Path dir = startupData(ctx, tasks, each);
    Path empty = Files.createTempDirectory("vizrelay-empty-");
    List<Long> starts = new ArrayList<>();
    List<Long> emptyStarts = new ArrayList<>();
    List<Long> cpu = new ArrayList<>();
    List<Long> emptyCpu = new ArrayList<>();
    List<Long> firsts = new ArrayList<>();
    List<Double> loads = new ArrayList<>();
    boolean exact = true;
    int runs = ctx.pick(5, 1);
    for (int r = 0; r < runs; r++) {
      loads.add(loadAverage());
      long t0 = System.nanoTime();
      ServerProcess again =
          ServerProcess.vizrelayIn(
              dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts(), GO_COLD);
      starts.add(System.nanoTime() - t0);
      cpu.add(Math.round(ProcStats.cpuSeconds(again.pid()) * 1e9));
      long t1 = System.nanoTime();
      exact &= firstReadExact(again, "start-" + ((tasks / 2 + 97 * r) % tasks), each);
      firsts.add(System.nanoTime() - t1);
      again.kill9();
      long t2 = System.nanoTime();
      ServerProcess blank =
          ServerProcess.vizrelayIn(
              empty, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts(), GO_COLD);
      emptyStarts.add(System.nanoTime() - t2);
      emptyCpu.add(Math.round(ProcStats.cpuSeconds(blank.pid()) * 1e9));
      blank.kill9();
    }
    Table t =
        new Table(
            "Memory: start-up with many stored tasks (process start → /health 200)",
            "stored tasks",
            "points each",
            "db size",
            "start → healthy p50 ms",
            "server CPU s at healthy",
            "empty dir: healthy p50 ms",
            "empty dir: CPU s",
            "first read of a task ms",
            "first read exact",
            "load avg (median)",
            "runs");
    t.row(
        tasks,
        each,
        Table.bytes(Files.size(dir.resolve("vizrelay.db"))),
        ms(starts, 50),
        seconds(cpu),
        ms(emptyStarts, 50),
        seconds(emptyCpu),
        ms(firsts, 50),
        exact ? "yes" : "NO",
        String.format("%.1f", loads.stream().sorted().toList().get(loads.size() / 2)),
        runs);
    ctx.tables.add(t);
    ctx.log(
        "start-up with %d stored tasks of %d points: healthy after %s ms (empty dir %s ms)",
        tasks, each, ms(starts, 50), ms(emptyStarts, 50));
    if (!exact) {
      ctx.observe("start-up: a first read after restart was not exact");
    }
    ServerProcess.deleteTree(empty);
    if (ctx.options.startupDir() == null) {
      ServerProcess.deleteTree(dir);
    }
  }

  /**
   * The stored tasks of the start-up measurement: {@code tasks} × {@code each} points, all cold,
   * the writer killed with -9. Reused from {@code --startup-data} when it holds the same shape.
   */
  private Path startupData(BenchContext ctx, int tasks, int each) throws Exception {
    Path dir = ctx.options.startupDir();
    String shape = tasks + " tasks x " + each + " points\n";
    if (dir != null
        && Files.exists(dir.resolve(SHAPE_FILE))
        && Files.readString(dir.resolve(SHAPE_FILE)).equals(shape)) {
      ctx.log("start-up: reusing %s (%s)", dir, shape.trim());
      return dir;
    }
    if (dir == null) {
      dir = Files.createTempDirectory("vizrelay-startup-");
    } else {
      ServerProcess.deleteTree(dir);
      Files.createDirectories(dir);
    }
    ctx.log("start-up: writing %d tasks of %d points into %s", tasks, each, dir);
    ServerProcess fill =
        ServerProcess.vizrelayIn(
            dir, ctx.options.serverJar(), "batch", ctx.options.serverJvmOpts(), GO_COLD);
    for (int i = 0; i < tasks; i++) {
      LateJoinScenario.fill(ctx, fill, "start-" + i, each);
    }
    awaitAllCold(fill);
    fill.kill9();
    Files.writeString(dir.resolve(SHAPE_FILE), shape);
    return dir;
  }

  /** Reads the task's window and checks every point against what {@link PlotBodies} sent. */
  private boolean firstReadExact(ServerProcess server, String task, int each) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + "/win_data"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"task_id\":\"" + task + "\",\"win\":\"loss\",\"eid\":\"main\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      return false;
    }
    JsonNode trace = MAPPER.readTree(r.body()).path("content").path("data").path(0);
    JsonNode x = trace.path("x");
    JsonNode y = trace.path("y");
    if (x.size() != each || y.size() != each) {
      return false;
    }
    for (int i = 0; i < each; i++) {
      if (x.get(i).asLong() != i || y.get(i).asDouble() != PlotBodies.lossAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  private static String seconds(List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format("%.2f", Stats.percentile(sorted, 50) / 1e9);
  }

  /** Waits until the task is cold, then times the read that loads it. */
  private long coldLoad(BenchContext ctx, ServerProcess server, String task) throws Exception {
    awaitAllCold(server);
    long t0 = System.nanoTime();
    winExists(ctx, server, task);
    return System.nanoTime() - t0;
  }

  private static void winExists(BenchContext ctx, ServerProcess server, String task)
      throws Exception {
    AdminClient.post(
        server,
        "/win_exists",
        Buffer.buffer("{\"task_id\":\"" + task + "\",\"win\":\"loss\",\"eid\":\"main\"}"));
  }

  private void awaitAllCold(ServerProcess server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (metric(server.port, "vizrelay_store_hot_tasks") > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("tasks did not go cold within 120 s");
      }
      Thread.sleep(100);
    }
  }

  private long metric(int port, String name) throws Exception {
    Long v = metricOrNull(port, name);
    if (v == null) {
      throw new IllegalStateException("no " + name + " in /metrics");
    }
    return v;
  }

  private Long metricOrNull(int port, String name) throws Exception {
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
    return null;
  }

  /** Used heap after a full GC, in KiB. */
  private static long liveHeapKb(ServerProcess server) {
    server.jcmd("GC.run");
    String info = server.jcmd("GC.heap_info");
    Matcher m = USED.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("no used heap in jcmd GC.heap_info: " + info);
    }
    return Long.parseLong(m.group(1));
  }

  private static String ms(List<Long> nanos, double percentile) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return Stats.ms(Stats.percentile(sorted, percentile));
  }
}
