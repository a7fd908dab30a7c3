package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Server RSS with many idle sockets: a fresh server, 100 tasks with one 100-point window each, then
 * N sockets spread over those tasks (each gets its snapshot, then stays idle). RSS is read from
 * {@code /proc/<pid>/status} before the sockets, after they settle, and after a full GC ({@code
 * jcmd GC.run}). If a file-descriptor limit keeps N below 10,000 the result is extrapolated
 * linearly and marked so.
 */
final class IdleSocketsScenario implements Scenario {
  static final int TASKS = 100;
  static final int FD_MARGIN = 500;

  /** How long the sockets sit idle before RSS is read. */
  static final int SETTLE_SECONDS = 15;

  @Override
  public String name() {
    return "idle-sockets";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    int wanted = ctx.pick(10_000, 2_000);
    Table t =
        new Table(
            "Idle sockets: server memory (vizrelay fsync=always, fresh server per row)",
            "sockets",
            "client",
            "RSS before sockets",
            "RSS idle (settled " + SETTLE_SECONDS + " s)",
            "RSS after full GC",
            "per socket",
            "server fds",
            "connect all s",
            "RSS at 10,000");
    List<Context> contexts = EventLoops.contexts(ctx.vertx, 8);
    for (boolean deflate : new boolean[] {false, true}) {
      WebSocketClient client =
          ctx.vertx.createWebSocketClient(
              new WebSocketClientOptions()
                  .setMaxConnections(100_000)
                  .setConnectTimeout(60_000)
                  .setTryUsePerMessageCompression(deflate));
      try (ServerProcess server = ctx.vizrelay("always")) {
        measure(ctx, server, client, contexts, wanted, deflate, t);
      } finally {
        client.close();
      }
    }
    List<String> jvm = ctx.options.serverJvmOpts();
    t.note(
        jvm.isEmpty()
            ? "The server runs with the JVM's default heap sizing (no -Xmx): on this machine that allows a heap of"
                + " 1/4 of RAM, so RSS also reflects how far the heap grew before the collector ran, not only"
                + " live data."
            : "Server JVM options: `"
                + String.join(" ", jvm)
                + "` (the Dockerfile's are measured with `-XX:MaxRAM=1g` standing for the pods' 1 GiB limit).");
    t.note(
        "\"Idle\" is read "
            + SETTLE_SECONDS
            + " s after the last socket connected: longer than the Dockerfile's G1 periodic collection"
            + " interval (10 s), which returns the heap the connection storm grew to the OS.");
    t.note(
        "Sockets are spread evenly over "
            + TASKS
            + " tasks with one 100-point window each; each received its"
            + " snapshot, then stays idle. `permessage-deflate` is what a browser negotiates.");
    ctx.tables.add(t);
  }

  private void measure(
      BenchContext ctx,
      ServerProcess server,
      WebSocketClient client,
      List<Context> contexts,
      int wanted,
      boolean deflate,
      Table t)
      throws Exception {
    String clientName = deflate ? "permessage-deflate (browser-like)" : "plain";
    long fdLimit =
        Math.min(ProcStats.maxOpenFiles(ProcStats.self()), ProcStats.maxOpenFiles(server.pid()));
    int n = (int) Math.min(wanted, fdLimit - FD_MARGIN);
    if (n < wanted) {
      ctx.observe(
          "idle sockets limited to "
              + n
              + " by the open-files limit ("
              + fdLimit
              + "); raise `ulimit -n`");
    }
    for (int i = 0; i < TASKS; i++) {
      createTask(ctx, server, "bench-idle-" + i);
    }
    Thread.sleep(2000);
    long before = server.rssKb();
    long start = System.nanoTime();
    List<Subscriber> subs = new ArrayList<>();
    AtomicLongArray none = new AtomicLongArray(1);
    for (int batch = 0; batch < n; batch += 1000) {
      int size = Math.min(1000, n - batch);
      for (int task = 0; task < TASKS; task++) {
        int count = size / TASKS + (task < size % TASKS ? 1 : 0);
        subs.addAll(
            RelayMeasurement.connectAll(
                ctx, List.of(server.port), client, contexts, count, "bench-idle-" + task, none));
      }
      ctx.log(
          "idle sockets (%s): %d connected, server RSS %s",
          clientName, subs.size(), Table.mb(server.rssKb()));
    }
    double connectSeconds = (System.nanoTime() - start) / 1e9;
    Thread.sleep(SETTLE_SECONDS * 1000L);
    long idle = server.rssKb();
    long fds = ProcStats.openFds(server.pid());
    logDiagnostics(ctx, server, clientName);
    server.jcmd("GC.run");
    Thread.sleep(2000);
    long afterGc = server.rssKb();
    double perSocketKb = (idle - before) / (double) n;
    long at10k = before + (long) (perSocketKb * 10_000);
    t.row(
        String.format("%,d", n),
        clientName,
        Table.mb(before),
        Table.mb(idle),
        Table.mb(afterGc),
        String.format("%.1f KB", perSocketKb),
        fds,
        String.format("%.1f", connectSeconds),
        n >= 10_000 ? Table.mb(idle) : Table.mb(at10k) + " (extrapolated)");
    ctx.targets.add(
        "10,000 idle sockets ≤ 400 MB server RSS (" + clientName + ")",
        (n >= 10_000 ? Table.mb(idle) : Table.mb(at10k) + " extrapolated from " + n)
            + " (after full GC "
            + Table.mb(afterGc)
            + ")",
        (n >= 10_000 ? idle : at10k) <= 400 * 1024);
    for (Subscriber s : subs) {
      s.close();
    }
    Thread.sleep(1000);
  }

  /**
   * Heap histogram head and (when the server runs with -XX:NativeMemoryTracking) native memory, to
   * stderr.
   */
  private static void logDiagnostics(BenchContext ctx, ServerProcess server, String clientName) {
    String histogram = server.jcmd("GC.class_histogram");
    ctx.log(
        "idle sockets (%s): live heap histogram (top 20):%n%s",
        clientName, String.join("\n", histogram.lines().limit(24).toList()));
    String nmt = server.jcmd("VM.native_memory", "summary");
    if (!nmt.contains("not enabled")) {
      ctx.log(
          "idle sockets (%s): native memory:%n%s",
          clientName,
          String.join("\n", nmt.lines().filter(l -> l.contains("committed=")).limit(30).toList()));
    }
  }

  private static void createTask(BenchContext ctx, ServerProcess server, String task)
      throws Exception {
    AdminClient.post(server, "/update", PlotBodies.append(task, "loss", 0, 100));
  }
}
