package io.vizrelay.common.store.embedded;

import static io.vizrelay.common.store.StoreFixtures.append;
import static io.vizrelay.common.store.StoreFixtures.await;
import static io.vizrelay.common.store.StoreFixtures.xs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.Since;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies in a shard's place race the shard's own work: six writer threads (as six event loops)
 * append to three shared tasks while another thread unloads, snapshots and resumes them at random.
 * Every acknowledged point is stored once, each writer's points keep its order, seq has no gap or
 * duplicate, the in-place and the queued path both ran, and a reopened store holds the same.
 */
class InPlaceApplyTest {
  static final int WRITERS = 6;
  static final int TASKS = 3;
  static final int PER_WRITER = 400;

  @TempDir Path dir;

  /**
   * The heap estimate walks the task's state: made on every write, a 1-point append cost
   * O(windows). Writes re-estimate at most once per {@link EmbeddedTaskStore#REMEASURE_NANOS}.
   */
  @Test
  void writesReestimateTheTaskHeapAtMostOncePerInterval() throws Exception {
    VizConfig config =
        VizConfig.fromEnv(Map.of("VIZRELAY_DATA_DIR", dir.toString(), "VIZRELAY_FSYNC", "batch"));
    EmbeddedTaskStore store =
        EmbeddedTaskStore.openBlocking(config, new HotConfig(Duration.ofDays(1), Long.MAX_VALUE));
    int writes = 2_000;
    long started = System.nanoTime();
    for (int i = 0; i < writes; i++) {
      await(store.apply("measured", append(i)));
    }
    long intervals = (System.nanoTime() - started) / EmbeddedTaskStore.REMEASURE_NANOS;
    long measures = store.applyMeasures();
    assertTrue(measures >= 1, "the first write estimates the heap");
    assertTrue(
        measures <= intervals + 1,
        measures + " estimates for " + writes + " writes in " + intervals + " intervals");
    assertTrue(await(store.residency("measured")).stateBytes() > 0, "and the estimate is kept");
    assertEquals(writes, xs(store, "measured").size());
    await(store.close());
  }

  @Test
  void inPlaceAppliesRacingUnloadsSnapshotsAndResumesLoseAndReorderNothing() throws Exception {
    VizConfig config =
        VizConfig.fromEnv(
            Map.of(
                "VIZRELAY_DATA_DIR",
                dir.toString(),
                "VIZRELAY_FSYNC",
                "batch",
                "VIZRELAY_SNAPSHOT_BYTES",
                "4096",
                "VIZRELAY_JOURNAL_MS",
                "5"));
    EmbeddedTaskStore store =
        EmbeddedTaskStore.openBlocking(config, new HotConfig(Duration.ofDays(1), Long.MAX_VALUE));
    Map<String, Set<Long>> seqs = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      writers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < PER_WRITER; i++) {
                  String task = task(writer + i);
                  Applied a = await(store.apply(task, append(writer * 100_000 + i)));
                  long seq = a.deltas().get(0).seq();
                  assertTrue(
                      seqs.computeIfAbsent(task, t -> ConcurrentHashMap.newKeySet()).add(seq),
                      "seq " + seq + " of " + task + " handed out twice");
                }
                return null;
              }));
    }
    java.util.concurrent.Future<Integer> chaos =
        pool.submit(
            () -> {
              Random random = new Random(16);
              int unloads = 0;
              while (writing.get()) {
                String task = task(random.nextInt(TASKS));
                switch (random.nextInt(3)) {
                  case 0 -> unloads += await(store.unload(task)) ? 1 : 0;
                  case 1 -> await(store.snapshot(task, "main"));
                  default -> {
                    var stats = await(store.stats(task));
                    if (stats != null && stats.lastSeq() > 5) {
                      long from = stats.lastSeq() - 5;
                      Since s = await(store.since(task, stats.epoch(), from));
                      assertFalse(s.gone());
                      assertTrue(s.deltas().size() >= 5, "a resume gets every frame after");
                      for (int i = 0; i < s.deltas().size(); i++) {
                        assertEquals(from + 1 + i, s.deltas().get(i).seq(), "in order, no gap");
                      }
                    }
                  }
                }
              }
              return unloads;
            });
    for (var w : writers) {
      w.get(120, TimeUnit.SECONDS);
    }
    writing.set(false);
    int unloads = chaos.get(60, TimeUnit.SECONDS);
    pool.shutdown();

    assertTrue(unloads > 0, "tasks were unloaded while written");
    assertTrue(store.inPlaceApplies() > 0, "applies ran in the shard's place");
    assertTrue(
        store.inPlaceApplies() < (long) WRITERS * PER_WRITER, "and some were queued on the shard");
    List<List<Double>> before = new ArrayList<>();
    for (int t = 0; t < TASKS; t++) {
      Set<Long> s = seqs.get(task(t));
      assertEquals(s.size(), java.util.Collections.max(s), task(t) + ": seq 1..n without a gap");
      List<Double> xs = xs(store, task(t));
      assertOnceAndInWriterOrder(xs, t);
      before.add(xs);
    }
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config);
    for (int t = 0; t < TASKS; t++) {
      assertEquals(before.get(t), xs(reopened, task(t)), "the reopened store holds the same");
    }
    await(reopened.close());
  }

  /** Each writer's points of this task, once each, in the order the writer sent them. */
  private static void assertOnceAndInWriterOrder(List<Double> xs, int t) {
    assertEquals(new HashSet<>(xs).size(), xs.size(), "no point stored twice");
    int expected = 0;
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      List<Integer> mine =
          xs.stream()
              .mapToInt(Double::intValue)
              .filter(x -> x / 100_000 == writer)
              .map(x -> x % 100_000)
              .boxed()
              .toList();
      List<Integer> sent = new ArrayList<>();
      for (int i = 0; i < PER_WRITER; i++) {
        if ((writer + i) % TASKS == t) {
          sent.add(i);
        }
      }
      assertEquals(sent, mine, "writer " + w + "'s points in " + task(t));
      expected += sent.size();
    }
    assertEquals(expected, xs.size());
  }

  private static String task(int i) {
    return "inplace-" + Math.floorMod(i, TASKS);
  }
}
