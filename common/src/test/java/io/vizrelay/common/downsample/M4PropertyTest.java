package io.vizrelay.common.downsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property tests of {@link M4}: a seeded random loop over many generated series (a fixed seed per
 * case, printed in every failure, so a failure reproduces exactly). Series mix monotonic and
 * shuffled x, duplicated x, NaN/null gaps in x and y, spikes, constant runs and missing x.
 */
class M4PropertyTest {
  private static final int CASES = 400;

  /** One generated series; x null = no x (index buckets). */
  private record Series(double[] x, double[] y, int n, int maxPoints, long seed) {}

  private static Series generate(long seed) {
    Random r = new Random(seed);
    int n = r.nextInt(4) == 0 ? r.nextInt(40) : 1 + r.nextInt(5_000);
    int maxPoints = 5 + r.nextInt(r.nextBoolean() ? 60 : 2_000);
    double[] y = new double[n];
    double v = 0;
    for (int i = 0; i < n; i++) {
      v += r.nextGaussian();
      y[i] = r.nextInt(200) == 0 ? v + 1e6 * (r.nextBoolean() ? 1 : -1) : v; // spikes
      if (r.nextInt(10) == 0) {
        y[i] = 7; // constant runs / duplicates of y
      }
    }
    double[] x = null;
    int shape = r.nextInt(5);
    if (shape > 0) {
      x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] =
            switch (shape) {
              case 1 -> i; // monotonic
              case 2 -> r.nextInt(Math.max(1, n / 3)); // duplicates, non-monotonic
              case 3 -> r.nextDouble() * 1e3 - 500; // shuffled reals
              default -> 42; // every x equal
            };
      }
    }
    if (r.nextBoolean()) {
      for (int k = r.nextInt(1 + n / 10); k > 0 && n > 0; k--) {
        y[r.nextInt(n)] = Double.NaN;
      }
      if (x != null) {
        for (int k = r.nextInt(1 + n / 20); k > 0 && n > 0; k--) {
          x[r.nextInt(n)] = Double.NaN;
        }
      }
    }
    return new Series(x, y, n, maxPoints, seed);
  }

  @Test
  void everyPropertyHoldsOnRandomSeries() {
    for (long seed = 1; seed <= CASES; seed++) {
      Series s = generate(seed);
      int[] kept = M4.select(s.x(), s.y(), s.n(), s.maxPoints());
      String ctx = "seed " + seed + " n=" + s.n() + " maxPoints=" + s.maxPoints();
      assertAscendingInRange(kept, s.n(), ctx);
      assertTrue(kept.length <= Math.max(s.n() <= s.maxPoints() ? s.n() : 0, s.maxPoints()), ctx);
      if (s.n() <= s.maxPoints()) {
        int[] all = new int[s.n()];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, kept, "exact copy when it fits: " + ctx);
        continue;
      }
      assertTrue(kept.length <= s.maxPoints(), "within the budget: " + ctx);
      assertEquals(0, kept[0], "first point kept: " + ctx);
      assertEquals(s.n() - 1, kept[kept.length - 1], "last point kept: " + ctx);
      assertExtremesKept(s, kept, ctx);
    }
  }

  private static void assertAscendingInRange(int[] kept, int n, String ctx) {
    for (int i = 0; i < kept.length; i++) {
      assertTrue(kept[i] >= 0 && kept[i] < n, "index in range: " + ctx);
      assertTrue(i == 0 || kept[i] > kept[i - 1], "ascending (input order), no repeats: " + ctx);
    }
  }

  /**
   * Recomputes the buckets independently (the documented rule: equal-width x buckets, budget / 4,
   * or / 5 with gaps; a point without a finite x joins the bucket before it) and checks that each
   * bucket's minimum and maximum y value are present in the output, as are its first and last
   * points.
   */
  private static void assertExtremesKept(Series s, int[] kept, String ctx) {
    double[] x = s.x();
    boolean anyFinite = x != null && Arrays.stream(x).anyMatch(Double::isFinite);
    if (!anyFinite) {
      x = null;
    }
    boolean gaps = false;
    for (int i = 0; i < s.n(); i++) {
      gaps |= !Double.isFinite(s.y()[i]) || (x != null && !Double.isFinite(x[i]));
    }
    int buckets = s.maxPoints() / (gaps ? 5 : 4);
    double lo = x == null ? 0 : Arrays.stream(x).filter(Double::isFinite).min().orElseThrow();
    double hi =
        x == null ? s.n() - 1 : Arrays.stream(x).filter(Double::isFinite).max().orElseThrow();
    double[] min = new double[buckets];
    double[] max = new double[buckets];
    int[] first = new int[buckets];
    int[] last = new int[buckets];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    Arrays.fill(first, -1);
    int b = 0;
    for (int i = 0; i < s.n(); i++) {
      double c = x == null ? i : x[i];
      boolean placed = Double.isFinite(c);
      if (placed) {
        b = hi <= lo ? 0 : Math.min(buckets - 1, (int) ((c - lo) / (hi - lo) * buckets));
      }
      if (first[b] < 0) {
        first[b] = i;
      }
      last[b] = i;
      if (placed && Double.isFinite(s.y()[i])) {
        min[b] = Math.min(min[b], s.y()[i]);
        max[b] = Math.max(max[b], s.y()[i]);
      }
    }
    Set<Integer> keptSet = new HashSet<>();
    Set<Double> keptValues = new HashSet<>();
    for (int i : kept) {
      keptSet.add(i);
      keptValues.add(s.y()[i]);
    }
    for (int k = 0; k < buckets; k++) {
      if (first[k] < 0) {
        continue;
      }
      assertTrue(keptSet.contains(first[k]), "bucket " + k + " first kept: " + ctx);
      assertTrue(keptSet.contains(last[k]), "bucket " + k + " last kept: " + ctx);
      if (min[k] != Double.POSITIVE_INFINITY) {
        assertTrue(keptValues.contains(min[k]), "bucket " + k + " min kept: " + ctx);
        assertTrue(keptValues.contains(max[k]), "bucket " + k + " max kept: " + ctx);
      }
    }
  }

  @Test
  void aSingleSpikeAmongAMillionPointsSurvives() {
    int n = 1_000_000;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
      y[i] = Math.sin(i / 1000.0);
    }
    y[654_321] = 1e9;
    int[] kept = M4.select(x, y, n, 4000);
    assertTrue(kept.length <= 4000);
    assertTrue(Arrays.binarySearch(kept, 654_321) >= 0, "the spike is kept");
  }

  @Test
  void budgetBelowOneBucketIsRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> M4.select(null, new double[10], 10, 4));
  }
}
