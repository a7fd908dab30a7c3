package io.vizrelay.bench;

import java.time.Duration;
import java.util.List;

/**
 * Warms servers until their JIT is quiet: runs unrecorded rounds until the C1/C2 compiler threads
 * of the given processes used less than {@link #QUIET_CORES} cores per process in a round, or a
 * time limit passed (said in the log). With fixed short warm-ups the compiler threads took 0.3–0.9
 * of this machine's 2 cores during the measured seconds, from server and load generator alike.
 */
final class JitWarmup {
  /** Compiler-thread cores per process below which a round counts as quiet. */
  static final double QUIET_CORES = 0.05;

  /** Rounds shorter than this cannot be judged: {@code /proc} counts CPU in 10 ms ticks. */
  static final Duration MIN_ROUND = Duration.ofSeconds(1);

  /** One unrecorded round of load. */
  @FunctionalInterface
  interface Round {
    void run(int number) throws Exception;
  }

  private JitWarmup() {}

  /**
   * Runs {@code round} until the JIT of {@code pids} is quiet or {@code limit} passed; logs how it
   * went.
   */
  static void until(BenchContext ctx, String what, List<Long> pids, Duration limit, Round round)
      throws Exception {
    long start = System.nanoTime();
    long deadline = start + (ctx.quick() ? Duration.ofSeconds(5) : limit).toNanos();
    double jitCores;
    int rounds = 0;
    do {
      double jit0 = jitSeconds(pids);
      long t0 = System.nanoTime();
      round.run(rounds);
      jitCores = (jitSeconds(pids) - jit0) / ((System.nanoTime() - t0) / 1e9);
      rounds++;
    } while (jitCores > QUIET_CORES * pids.size() && System.nanoTime() < deadline);
    ctx.log(
        "%s warm-up: %d round(s) in %.1f s, JIT %.2f cores in the last round%s",
        what,
        rounds,
        (System.nanoTime() - start) / 1e9,
        jitCores,
        jitCores > QUIET_CORES * pids.size() ? " (limit reached, JIT still busy)" : "");
  }

  private static double jitSeconds(List<Long> pids) {
    return pids.stream().mapToDouble(ProcStats::jitSeconds).sum();
  }
}
