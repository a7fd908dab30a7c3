package io.vizrelay.common.downsample;

import java.util.Arrays;

/**
 * M4 bucketing over x: splits the x extent of a series into equal-width buckets and keeps, per
 * bucket, its first and last point (in input order), its point of minimum y and of maximum y, and
 * its first gap point (a null/NaN x or y, so a break in the line survives). Every spike therefore
 * survives, the series' first and last points are kept, and the result never exceeds the budget.
 *
 * <p>Points are addressed by index; the result is the ascending indices to keep, so the output
 * keeps the input's order (x need not be monotonic; duplicates are fine). A point whose x is not a
 * finite number belongs to the bucket of the nearest finite-x point before it (bucket 0 when none).
 * Without x ({@code null}), or when no x is finite, buckets are taken over the index.
 */
public final class M4 {
  /** Points kept per bucket at most when the series has no gap point. */
  static final int PER_BUCKET = 4;

  /** ... and when it has one (the bucket's first gap point is kept too). */
  static final int PER_BUCKET_WITH_GAPS = 5;

  private M4() {}

  /**
   * The ascending indices of the points to keep among the first {@code n} of {@code (x, y)}: all of
   * them when {@code n <= maxPoints}, else at most {@code maxPoints} chosen by bucket.
   *
   * @param x the x values (NaN for a missing or non-numeric x), or null to bucket over the index
   * @param y the y values (NaN for a missing or non-numeric y)
   * @param maxPoints the budget, at least {@link #PER_BUCKET_WITH_GAPS}
   */
  public static int[] select(double[] x, double[] y, int n, int maxPoints) {
    if (maxPoints < PER_BUCKET_WITH_GAPS) {
      throw new IllegalArgumentException("maxPoints must be at least " + PER_BUCKET_WITH_GAPS);
    }
    if (n <= maxPoints) {
      int[] all = new int[n];
      Arrays.setAll(all, i -> i);
      return all;
    }
    double[] xs = hasFinite(x, n) ? x : null;
    boolean gaps = hasGap(xs, y, n);
    int buckets = maxPoints / (gaps ? PER_BUCKET_WITH_GAPS : PER_BUCKET);
    return new Buckets(buckets).fill(xs, y, n).indices();
  }

  /**
   * The bucket of coordinate {@code c} among {@code buckets} equal-width buckets over {@code [lo,
   * hi]}.
   */
  static int bucketOf(double c, double lo, double hi, int buckets) {
    if (hi <= lo) {
      return 0;
    }
    int b = (int) ((c - lo) / (hi - lo) * buckets);
    return Math.max(0, Math.min(buckets - 1, b));
  }

  private static boolean hasFinite(double[] x, int n) {
    if (x == null) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (Double.isFinite(x[i])) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasGap(double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(y[i]) || (x != null && !Double.isFinite(x[i]))) {
        return true;
      }
    }
    return false;
  }

  /** Per-bucket first, last, min, max and first-gap indices (-1 = none). */
  private static final class Buckets {
    private final int count;
    private final int[] first;
    private final int[] last;
    private final int[] min;
    private final int[] max;
    private final int[] gap;

    Buckets(int count) {
      this.count = count;
      first = filled(count);
      last = filled(count);
      min = filled(count);
      max = filled(count);
      gap = filled(count);
    }

    private static int[] filled(int n) {
      int[] a = new int[n];
      Arrays.fill(a, -1);
      return a;
    }

    Buckets fill(double[] x, double[] y, int n) {
      double lo = 0;
      double hi = n - 1;
      if (x != null) {
        lo = Double.POSITIVE_INFINITY;
        hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
          if (Double.isFinite(x[i])) {
            lo = Math.min(lo, x[i]);
            hi = Math.max(hi, x[i]);
          }
        }
      }
      int b = 0;
      for (int i = 0; i < n; i++) {
        double c = x == null ? i : x[i];
        boolean placed = Double.isFinite(c);
        if (placed) {
          b = bucketOf(c, lo, hi, count);
        }
        add(b, i, placed && Double.isFinite(y[i]) ? y[i] : Double.NaN, y);
      }
      return this;
    }

    private void add(int b, int i, double value, double[] y) {
      if (first[b] < 0) {
        first[b] = i;
      }
      last[b] = i;
      if (Double.isNaN(value)) {
        if (gap[b] < 0) {
          gap[b] = i;
        }
        return;
      }
      if (min[b] < 0 || value < y[min[b]]) {
        min[b] = i;
      }
      if (max[b] < 0 || value > y[max[b]]) {
        max[b] = i;
      }
    }

    int[] indices() {
      int[] out = new int[count * PER_BUCKET_WITH_GAPS];
      int k = 0;
      for (int b = 0; b < count; b++) {
        for (int i : new int[] {first[b], last[b], min[b], max[b], gap[b]}) {
          if (i >= 0) {
            out[k++] = i;
          }
        }
      }
      Arrays.sort(out, 0, k);
      int m = 0;
      for (int j = 0; j < k; j++) {
        if (m == 0 || out[j] != out[m - 1]) {
          out[m++] = out[j];
        }
      }
      return Arrays.copyOf(out, m);
    }
  }
}
