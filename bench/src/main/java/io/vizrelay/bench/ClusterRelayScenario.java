package io.vizrelay.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The relay against the loopback cluster (issue 5 item 6), next to the embedded single node: a
 * cluster of child JVMs ({@link LocalCluster}: 1 ingest, 2 socket, 1 taskinfo replica) and an
 * embedded server run side by side; for each K × R cell the embedded node and then the cluster are
 * measured back to back by the same {@link RelayMeasurement} (one poster on the ingest port, K
 * subscribers connected directly to the socket nodes' ports, split evenly). In the cluster every
 * delivery crosses nodes: ingest → the task's partition owner (entry processor, synchronous backup)
 * → ingest publishes on the clustered event bus → each socket node → its browsers. Server CPU is
 * summed over every cluster process.
 */
final class ClusterRelayScenario implements Scenario {
  static final int[] SUBSCRIBERS = {100, 1000};
  static final int[] RATES = {20, 200};
  static final double IDLE_SECONDS = 3;

  @Override
  public String name() {
    return "cluster-relay";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    RelayMeasurement.Timing timing =
        new RelayMeasurement.Timing(ctx.pick(1.0, 0.5), ctx.pick(3, 1), ctx.pick(4.0, 2.0));
    int[] ks = ctx.quick() ? new int[] {100} : SUBSCRIBERS;
    int[] rates = ctx.quick() ? new int[] {20} : RATES;
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("ingest", 1);
    counts.put("socket", 2);
    counts.put("taskinfo", 1);

    Table t =
        new Table(
            "Cluster relay: embedded single node vs loopback cluster (1 ingest, 2 socket, 1 taskinfo)",
            "K sockets",
            "updates/s",
            "server",
            "deliveries/s (expected)",
            "latency p50 / p99 / max ms",
            "gaps",
            "dups",
            "re-syncs",
            "missing",
            "CPU cores: server / bench / other",
            "server CPU s / 1,000 deliveries",
            "cluster ÷ embedded: CPU per delivery, p50, p99",
            "snapshot on connect p50 / max ms");
    Table byProcess =
        new Table(
            "Cluster relay: server CPU seconds per 1,000 deliveries, by process",
            "K sockets",
            "updates/s",
            "ingest-1",
            "socket-1",
            "socket-2",
            "taskinfo-1",
            "cluster total",
            "embedded");

    RelayMeasurement m = RelayMeasurement.open(ctx);
    ServerProcess embedded = null;
    LocalCluster cluster = null;
    try {
      embedded = ctx.vizrelay("always");
      cluster = LocalCluster.start(ctx, ctx.options.serviceJarDir(), counts);
      RelayTarget single = RelayTarget.of(embedded);
      RelayTarget multi = cluster.relayTarget();
      List<String> names = multi.processes().stream().map(RelayTarget.Proc::name).toList();
      ctx.observe("cluster-relay service jars: " + String.join(", ", cluster.jars));

      idle(ctx, single, multi, names);
      for (RelayTarget target : List.of(single, multi)) { // unrecorded: JIT warm-up of each server
        m.run(
            target,
            "bench-crelay-warmup",
            100,
            200,
            new RelayMeasurement.Timing(0.5, 1, ctx.pick(3.0, 1.0)));
      }
      for (int k : ks) {
        for (int rate : rates) {
          RelayMeasurement.Run e =
              m.run(single, "bench-crelay-e-k" + k + "-r" + rate, k, rate, timing);
          RelayMeasurement.Run c =
              m.run(multi, "bench-crelay-c-k" + k + "-r" + rate, k, rate, timing);
          for (RelayMeasurement.Run r : List.of(e, c)) {
            boolean isCluster = r == c;
            String ratio =
                isCluster
                    ? String.format(
                        "×%.1f, ×%.1f, ×%.1f",
                        c.cpuPerThousand() / e.cpuPerThousand(),
                        ratio(c.latency().p50(), e.latency().p50()),
                        ratio(c.latency().p99(), e.latency().p99()))
                    : "";
            t.row(
                k,
                r.sentCell(),
                isCluster ? "cluster (4 JVMs)" : "embedded (fsync=always)",
                r.deliveriesCell(),
                r.latencies(),
                r.gaps(),
                r.dups(),
                r.resyncCell(),
                r.missing(),
                r.cores(),
                String.format("%.3f", r.cpuPerThousand()),
                ratio,
                r.joinCell());
            ctx.log(
                "cluster-relay %s K=%d R=%d: %s deliveries/s p50 %s p99 %s ms gaps %d dups %d resyncs %d missing %d,"
                    + " %.3f CPU s/1000",
                isCluster ? "cluster" : "embedded",
                k,
                rate,
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
                  "cluster-relay "
                      + (isCluster ? "cluster" : "embedded")
                      + " K="
                      + k
                      + " R="
                      + rate
                      + ": "
                      + r.updatesFailed()
                      + " updates failed (first: "
                      + r.firstError()
                      + ")");
            }
          }
          List<Object> cells = new ArrayList<>(List.of(k, rate));
          for (String col : List.of("ingest-1", "socket-1", "socket-2", "taskinfo-1")) {
            int i = names.indexOf(col);
            cells.add(i < 0 ? "n/a" : String.format("%.3f", c.cpuPerThousand(i)));
          }
          cells.add(String.format("%.3f", c.cpuPerThousand()));
          cells.add(String.format("%.3f", e.cpuPerThousand()));
          byProcess.row(cells.toArray());
        }
      }
      if (!cluster.alive()) {
        ctx.observe("a cluster node exited during the run");
      }
      for (String w : cluster.warnings(10)) {
        ctx.observe("cluster log: " + w);
      }
    } finally {
      m.close();
      if (cluster != null) {
        cluster.close();
      }
      if (embedded != null) {
        embedded.close();
      }
    }
    t.note(
        String.format(
            "Per row: one set of K sockets, %.1f s warm-up then %d × %.0f s measured (pooled); each cell"
                + " runs the embedded node and then the cluster back to back (both servers up for the whole scenario, after"
                + " one unrecorded K=100 × 200/s run on each). Single run per row.",
            timing.warmup(), timing.slices(), timing.slice()));
    t.note(
        "Cluster: real shaded jars as child JVMs with `scripts/cluster.sh`'s settings (tcp join on 127.0.0.1, "
            + LocalCluster.HEAP
            + ", Hazelcast --add-opens; one synchronous backup); the poster posts to the ingest node,"
            + " socket i connects directly to socket node (i mod 2) + 1 (no proxy). Embedded: `java -jar vizrelay.jar`,"
            + " default heap, SQLite log with fsync=always (the cluster keeps state in memory, two copies).");
    t.note(
        "Latency = frame received by the socket − POST written by the poster (same JVM, System.nanoTime). server CPU"
            + " = user+sys seconds of the server process(es) during the measured seconds (all 4 JVMs for the cluster) ÷"
            + " deliveries in that interval × 1,000; it includes each server's idle background (see below).");
    t.note(
        "deliveries/s = frames received by the sockets during the measured seconds (receive time = send time +"
            + " latency), the same interval as the CPU figures; latency covers every frame of the updates sent in it, also"
            + " those that arrive during the drain, so a row whose sockets fall behind shows it in latency, not in missing.");
    t.note(
        "missing = updates acknowledged 200 whose frame a socket never received (after a "
            + RelayMeasurement.DRAIN_SECONDS
            + " s drain); re-syncs = extra `sync` frames (overflow/gap repair),"
            + " by their mode/reason.");
    byProcess.note(
        "Which member owns a task's partition (runs its entry processor) and which holds the backup depends"
            + " on the task id's hash, so it differs from row to row; every row uses a fresh task.");
    ctx.tables.add(t);
    ctx.tables.add(byProcess);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }

  /** Background CPU of both servers with no load, noted under the tables. */
  private static void idle(
      BenchContext ctx, RelayTarget single, RelayTarget multi, List<String> names)
      throws InterruptedException {
    ProcStats.Meter e = ProcStats.Meter.start(single.pids());
    ProcStats.Meter c = ProcStats.Meter.start(multi.pids());
    Thread.sleep((long) (IDLE_SECONDS * 1000));
    ProcStats.Reading er = e.read();
    ProcStats.Reading cr = c.read();
    StringBuilder per = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      per.append(i == 0 ? "" : ", ")
          .append(names.get(i))
          .append(' ')
          .append(String.format("%.3f", cr.perServer()[i] / cr.wall()));
    }
    ctx.observe(
        String.format(
            "idle background over %.0f s before the runs: embedded %.3f cores, cluster %.3f cores (%s);"
                + " machine other than the bench and these servers: %.2f cores",
            IDLE_SECONDS,
            er.serverCores(),
            cr.serverCores(),
            per,
            Math.max(0, cr.otherCores() - er.serverCores())));
  }
}
