package io.vizrelay.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU seconds per thread of the server processes over a measured interval of {@code wall} seconds
 * (from {@link ProcStats#threads}), read the way issue 16 reads them: each event loop on its own,
 * then the store's shards, its log, the JIT compilers, the GC and everything else. Threads that
 * started or ended during the interval count from 0 or not at all.
 */
record ThreadCpu(double wall, List<ProcStats.ThreadTime> threads) {
  /** The thread groups in print order; a thread belongs to the first group that matches. */
  private static final Map<String, Predicate<String>> GROUPS = groups();

  private static Map<String, Predicate<String>> groups() {
    Map<String, Predicate<String>> g = new LinkedHashMap<>();
    g.put("store", c -> c.startsWith("vizrelay-shard"));
    g.put("log", c -> c.startsWith("vizrelay-log"));
    g.put("JIT", c -> c.contains("CompilerThre"));
    g.put("GC", c -> c.startsWith("GC Thread") || c.startsWith("G1 "));
    return g;
  }

  /** The CPU each thread of {@code end} used since {@code start} (matched by pid and tid). */
  static ThreadCpu between(
      List<ProcStats.ThreadTime> start, List<ProcStats.ThreadTime> end, double wall) {
    Map<String, Double> before = new LinkedHashMap<>();
    start.forEach(t -> before.put(key(t), t.seconds()));
    List<ProcStats.ThreadTime> used = new ArrayList<>();
    for (ProcStats.ThreadTime t : end) {
      double delta = t.seconds() - before.getOrDefault(key(t), 0.0);
      used.add(new ProcStats.ThreadTime(t.pid(), t.tid(), t.comm(), delta));
    }
    return new ThreadCpu(wall, used);
  }

  /** Pools intervals (repeated runs): per-thread seconds and wall time add up. */
  static ThreadCpu pool(List<ThreadCpu> intervals) {
    Map<String, ProcStats.ThreadTime> sum = new LinkedHashMap<>();
    double wall = 0;
    for (ThreadCpu c : intervals) {
      wall += c.wall();
      for (ProcStats.ThreadTime t : c.threads()) {
        sum.merge(
            key(t),
            t,
            (a, b) ->
                new ProcStats.ThreadTime(a.pid(), a.tid(), a.comm(), a.seconds() + b.seconds()));
      }
    }
    return new ThreadCpu(wall, List.copyOf(sum.values()));
  }

  /** Busy cores of each event-loop thread ({@code vert.x-eventloop-thread-*}), busiest first. */
  List<Double> loopCores() {
    return threads.stream()
        .filter(t -> isLoop(t.comm()))
        .map(t -> t.seconds() / wall)
        .sorted(Comparator.reverseOrder())
        .toList();
  }

  /** Busy cores of one group of {@link #GROUPS}, or of every other non-loop thread ("other"). */
  double groupCores(String group) {
    return threads.stream()
        .filter(t -> group.equals(groupOf(t.comm())))
        .mapToDouble(t -> t.seconds() / wall)
        .sum();
  }

  /**
   * Per-thread CPU as µs per unit of work done at {@code unitsPerSecond} (requests/s,
   * deliveries/s): {@code loops 21.0 + 0.3 · store 4.1 · log 2.0 · JIT 0.5 · GC 0.2 · other 0.4}.
   * Event loops that did (almost) nothing are left out; groups that did nothing too.
   */
  String perUnit(double unitsPerSecond) {
    if (threads.isEmpty() || wall <= 0 || !(unitsPerSecond > 0)) {
      return "n/a";
    }
    List<String> parts = new ArrayList<>();
    List<String> loops =
        loopCores().stream()
            .filter(c -> c * 1e6 / unitsPerSecond >= 0.05)
            .map(c -> micros(c, unitsPerSecond))
            .toList();
    parts.add("loops " + (loops.isEmpty() ? "0" : String.join(" + ", loops)));
    List<String> named = new ArrayList<>(GROUPS.keySet());
    named.add("other");
    for (String group : named) {
      double cores = groupCores(group);
      if (cores * 1e6 / unitsPerSecond >= 0.05) {
        parts.add(group + " " + micros(cores, unitsPerSecond));
      }
    }
    return String.join(" · ", parts);
  }

  private static String micros(double cores, double unitsPerSecond) {
    return String.format("%.1f", cores * 1e6 / unitsPerSecond);
  }

  private static boolean isLoop(String comm) {
    return comm.startsWith("vert.x-eventloo");
  }

  /** The group of a non-loop thread; loops belong to none. */
  private static String groupOf(String comm) {
    if (isLoop(comm)) {
      return "loop";
    }
    return GROUPS.entrySet().stream()
        .filter(e -> e.getValue().test(comm))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("other");
  }

  private static String key(ProcStats.ThreadTime t) {
    return t.pid() + "/" + t.tid();
  }
}
