package io.vizrelay.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles and medians. Percentiles use the nearest-rank method on a sorted copy. */
final class Stats {
  private Stats() {}

  /** A latency distribution in nanoseconds, summarized. */
  record Latency(long count, long p50, long p99, long max) {
    static final Latency EMPTY = new Latency(0, 0, 0, 0);

    String p50Ms() {
      return ms(p50);
    }

    String p99Ms() {
      return ms(p99);
    }

    String maxMs() {
      return ms(max);
    }
  }

  static Latency latency(LongList samples) {
    if (samples.size() == 0) {
      return Latency.EMPTY;
    }
    long[] sorted = samples.toArray();
    Arrays.sort(sorted);
    return new Latency(
        sorted.length, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1]);
  }

  /** Nearest-rank percentile of an ascending array. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static String ms(long nanos) {
    double ms = nanos / 1e6;
    return ms < 10 ? String.format("%.2f", ms) : String.format("%.1f", ms);
  }
}
