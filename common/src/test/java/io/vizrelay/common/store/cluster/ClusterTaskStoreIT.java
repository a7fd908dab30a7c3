package io.vizrelay.common.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.TracePoints;
import io.vizrelay.common.visdom.Limits;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster tier on two real Hazelcast members (127.0.0.1, random cluster name, free ports):
 * numbering, since from the ring, client errors, de-duplicated retries, and — the point of the
 * backup processor — the backup that takes over holds exactly the primary's state and ring,
 * including the engine's random ids, and a backup that cannot replay a frame is resynchronized from
 * its primary instead of silently diverging.
 */
class ClusterTaskStoreIT {
  static final String TASK = "alice-cluster";

  Vertx vertx;
  final List<HazelcastInstance> members = new ArrayList<>();
  TestGrid grid;
  VizConfig config;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    config =
        VizConfig.fromEnv(Map.of("VIZRELAY_RETAIN_FRAMES", "1000", "VIZRELAY_RETAIN_SECONDS", "0"));
    grid = new TestGrid(2);
    grid.startMember();
    grid.startMember();
    grid.awaitSafe(); // partitions settled before the first write (divergences are counted)
    members.addAll(grid.members);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      grid.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void appliesNumberFramesAndSinceReadsTheRing() throws Exception {
    TaskStore store = new ClusterTaskStore(vertx, members.get(0), config);
    String epoch = null;
    for (int i = 0; i < 20; i++) {
      Applied a = await(store.apply(TASK, append(i)));
      assertEquals(1, a.deltas().size());
      assertEquals(i + 1, a.deltas().get(0).seq());
      assertEquals("loss", a.reply().body());
      epoch = a.deltas().get(0).epoch();
    }
    Since since = await(store.since(TASK, epoch, 5));
    assertFalse(since.gone());
    assertEquals(
        List.of(6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L),
        since.deltas().stream().map(Delta::seq).toList());
    assertTrue(await(store.since(TASK, "other", 5)).gone());
    assertTrue(await(store.since(TASK, epoch, 21)).gone());
    assertTrue(await(store.since(TASK, epoch, 20)).deltas().isEmpty());
    TaskStore.TaskStats stats = await(store.stats(TASK));
    assertEquals(20, stats.lastSeq());
    assertEquals(1, stats.windows());
    assertNull(await(store.stats("nobody")));
    assertEquals(
        "true",
        await(store.apply(TASK, new VisdomCommand.WinExists("main", "loss"))).reply().body());
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () -> await(store.apply(TASK, new VisdomCommand.GetWinData("main", "missing"))));
    assertTrue(e.getCause() instanceof ApiException, e.toString());
    assertEquals(20, await(store.stats(TASK)).lastSeq(), "a rejected command changes nothing");
    assertEquals(List.of(TASK), await(store.taskIds()));
    assertTrue(await(store.delete(TASK)));
    assertFalse(await(store.delete(TASK)));
  }

  @Test
  void theBackupThatTakesOverHasTheSameStateRingAndIds() throws Exception {
    TaskStore store = new ClusterTaskStore(vertx, members.get(0), config);
    for (int i = 0; i < 30; i++) {
      await(store.apply(TASK, append(i)));
      if (i % 10 == 0) {
        // server-made window ids and contentIDs are random: the backup must not draw its own
        await(
            store.apply(
                TASK,
                new VisdomCommand.CreateWindow(
                    "main", null, trace(i), Json.object(), Json.object())));
      }
    }
    await(store.apply(TASK, new VisdomCommand.CloseWindow("main", "loss")));
    await(store.apply(TASK, new VisdomCommand.ForkEnv("main", "copy")));
    Snapshot before = await(store.snapshot(TASK, "*"));
    Since sinceBefore = await(store.since(TASK, before.epoch(), 10));

    HazelcastInstance owner =
        members.stream()
            .filter(m -> m.getPartitionService().getPartition(TASK).getOwner().localMember())
            .findFirst()
            .orElseThrow();
    HazelcastInstance survivor = members.stream().filter(m -> m != owner).findFirst().orElseThrow();
    owner.getLifecycleService().terminate();
    members.remove(owner);

    TaskStore after = new ClusterTaskStore(vertx, survivor, config);
    Snapshot snap = await(after.snapshot(TASK, "*"));
    assertEquals(before.epoch(), snap.epoch());
    assertEquals(before.seq(), snap.seq());
    assertEquals(
        texts(before.frames()),
        texts(snap.frames()),
        "the backup's state is the primary's, byte for byte");
    Since since = await(after.since(TASK, before.epoch(), 10));
    assertEquals(
        texts(sinceBefore.deltas().stream().map(Delta::visdom).toList()),
        texts(since.deltas().stream().map(Delta::visdom).toList()),
        "and so is its ring");
    Applied next = await(after.apply(TASK, append(99)));
    assertEquals(before.seq() + 1, next.deltas().get(0).seq());
  }

  @Test
  void aBackupThatCannotApplyAFrameIsResynchronizedFromItsPrimary() throws Exception {
    TaskStore store = new ClusterTaskStore(vertx, members.get(0), config);
    for (int i = 0; i < 3; i++) {
      await(store.apply(TASK, append(i)));
    }
    HazelcastInstance owner = owner();
    HazelcastInstance backup = members.stream().filter(m -> m != owner).findFirst().orElseThrow();
    IMap<String, StoredTask> map = members.get(0).getMap(ClusterTaskStore.MAP);
    Processors.Apply fourth =
        new Processors.Apply(
            "req-4", CommandCodec.encode(append(3)), Limits.DEFAULTS, Retention.of(1000, 0));
    Results.Apply applied =
        map.submitToKey(TASK, new CorruptReplayApply(fourth))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(4, applied.frames.get(0).seq(), "the primary applied it");
    ReplicaRepair repair = ReplicaRepair.of(backup);
    awaitTrue(
        () -> repair.resyncs() == 1, "the diverged backup asks its primary for the whole task");
    assertEquals(1, repair.divergences());
    Vertx backupVertx = Vertx.vertx();
    try {
      new ClusterTaskStore(backupVertx, backup, config);
      assertTrue(
          Metrics.of(backupVertx)
              .registry()
              .scrape()
              .contains("vizrelay_backup_divergences_total 1.0"),
          "counted in the backup member's metrics");
    } finally {
      backupVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    await(store.apply(TASK, append(4)));
    Snapshot before = await(store.snapshot(TASK, "*"));
    Since sinceBefore = await(store.since(TASK, before.epoch(), 2));

    owner.getLifecycleService().terminate();
    members.remove(owner);
    TaskStore after = new ClusterTaskStore(vertx, backup, config);
    Snapshot snap = await(after.snapshot(TASK, "*"));
    assertEquals(before.epoch(), snap.epoch(), "in step again: the stream goes on");
    assertEquals(5, snap.seq());
    assertEquals(
        texts(before.frames()),
        texts(snap.frames()),
        "the resynchronized backup holds the primary's state");
    assertEquals(
        texts(sinceBefore.deltas().stream().map(Delta::visdom).toList()),
        texts(
            await(after.since(TASK, before.epoch(), 2)).deltas().stream()
                .map(Delta::visdom)
                .toList()),
        "and its ring holds the primary's frames, not the ones it could not apply");
  }

  @Test
  void aRetriedInvocationIsAppliedOnce() throws Exception {
    IMap<String, StoredTask> map = members.get(0).getMap(ClusterTaskStore.MAP);
    Processors.Apply first =
        new Processors.Apply(
            "req-1", CommandCodec.encode(append(1)), Limits.DEFAULTS, Retention.of(100, 0));
    Results.Apply a = map.submitToKey(TASK, first).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Processors.Apply again =
        new Processors.Apply(
            "req-1", CommandCodec.encode(append(1)), Limits.DEFAULTS, Retention.of(100, 0));
    Results.Apply b = map.submitToKey(TASK, again).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(1, a.frames.size());
    assertEquals(a.frames.get(0).seq(), b.frames.get(0).seq());
    assertEquals(1, map.executeOnKey(TASK, new Processors.Stats()).lastSeq);
  }

  @Test
  void commandsSurviveTheWireLosslessly() {
    ObjectNode t = Json.object();
    t.putArray("x").add(Double.NaN).add(1.0).add(2);
    t.putArray("y").add(Double.POSITIVE_INFINITY).add(0.5).addNull();
    ArrayNode data = Json.NODES.arrayNode().add(t);
    List<VisdomCommand> commands =
        List.of(
            new VisdomCommand.CreateWindow("main", null, data, Json.object().put("a", 1), null),
            new VisdomCommand.UpdateWindow(
                "e", "w", data, null, Json.object(), null, true, false, "appendRow"),
            new VisdomCommand.WinExists("main", "w"),
            new VisdomCommand.GetWinData("main", null),
            new VisdomCommand.SetWinData("main", null, "{\"a\":1}"),
            new VisdomCommand.CloseWindow("main", null),
            new VisdomCommand.DeleteEnv("x"),
            new VisdomCommand.ListEnvs(),
            new VisdomCommand.ForkEnv("a", "b"),
            new VisdomCommand.SaveEnvs(List.of("a", "b")),
            new VisdomCommand.SaveEnvs(null),
            new VisdomCommand.CreateEnv("n"),
            new VisdomCommand.LayoutItemUpdate("main", "w", Json.NODES.nullNode()),
            new VisdomCommand.LayoutItemUpdate("main", "w", Json.object().put("x", 1)),
            new VisdomCommand.SaveEnvAs("a", "b", null));
    for (VisdomCommand c : commands) {
      VisdomCommand back = CommandCodec.decode(CommandCodec.encode(c));
      assertEquals(c.toString(), back.toString(), "round trip of " + c);
    }
    VisdomCommand.UpdateWindow u =
        (VisdomCommand.UpdateWindow) CommandCodec.decode(CommandCodec.encode(commands.get(1)));
    assertTrue(
        u.data().get(0).get("x").get(0).isDouble()
            && Double.isNaN(u.data().get(0).get("x").get(0).asDouble()),
        "NaN stays a number");
  }

  private HazelcastInstance owner() {
    return members.stream()
        .filter(m -> m.getPartitionService().getPartition(TASK).getOwner().localMember())
        .findFirst()
        .orElseThrow();
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static List<String> texts(List<Buffer> frames) {
    return frames.stream().map(Buffer::toString).toList();
  }

  /**
   * Issue 17 on the grid: a snapshot with a point budget and range queries, asked from both members
   * (so the processors and their results cross the network for one of them).
   */
  @Test
  void budgetedSnapshotsAndRangeQueriesWorkFromEveryMember() throws Exception {
    ObjectNode big = Json.object();
    ArrayNode xs = big.putArray("x");
    ArrayNode ys = big.putArray("y");
    for (int i = 0; i < 10_000; i++) {
      xs.add(i);
      ys.add(i == 777 ? 1e9 : i % 13);
    }
    big.put("name", "train").put("type", "scatter").put("mode", "lines");
    TaskStore first = new ClusterTaskStore(vertx, members.get(0), config);
    await(
        first.apply(
            TASK,
            new VisdomCommand.CreateWindow(
                "main", "big", Json.NODES.arrayNode().add(big), Json.object(), Json.object())));
    for (HazelcastInstance member : members) {
      TaskStore store = new ClusterTaskStore(vertx, member, config);
      Snapshot snap = await(store.snapshot(TASK, "main", 100));
      assertEquals(java.util.Set.of(Snapshot.key("main", "big")), snap.downsampled());
      var window =
          snap.frames().stream()
              .map(b -> Json.parseTrusted(b.getBytes()))
              .filter(f -> "big".equals(f.path("id").asText()))
              .findFirst()
              .orElseThrow();
      assertTrue(window.at("/content/data/0/x").size() <= 100);
      assertEquals(10_000, window.at("/downsampled/0/points").asInt());
      assertTrue(window.at("/content/data/0/y").toString().contains("1.0E9"), "spike kept");
      assertEquals(
          10_000,
          Json.parseTrusted(await(store.snapshot(TASK, "main", 0)).frames().get(1).getBytes())
              .at("/content/data/0/x")
              .size(),
          "no budget: every point");

      TracePoints raw =
          await(store.points(TASK, new PointsQuery("main", "big", 0, 100, 199, 1000)));
      assertFalse(raw.downsampled());
      assertEquals(100, raw.points());
      var body = Json.parseTrusted(raw.body());
      assertEquals(100, body.get("x").get(0).asInt());
      assertEquals(199, body.get("x").get(99).asInt());
      TracePoints bucketed =
          await(store.points(TASK, new PointsQuery("main", "big", 0, 0, 9999, 50)));
      assertTrue(bucketed.downsampled());
      assertTrue(Json.parseTrusted(bucketed.body()).get("x").size() <= 50);
      assertError(
          "TASK_NOT_FOUND", store.points("nobody", new PointsQuery("main", "big", 0, 0, 1, 50)));
      assertError(
          "WINDOW_NOT_FOUND", store.points(TASK, new PointsQuery("main", "nope", 0, 0, 1, 50)));
      assertError("INVALID_FIELD", store.points(TASK, new PointsQuery("main", "big", 3, 0, 1, 50)));
    }
  }

  private static void assertError(String code, Future<?> f) {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(f));
    assertTrue(e.getCause() instanceof ApiException, e.toString());
    assertEquals(code, ((ApiException) e.getCause()).code().name());
  }

  private static ArrayNode trace(double x) {
    ObjectNode trace = Json.object();
    trace.putArray("x").add(x);
    trace.putArray("y").add(x * 2);
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    return Json.NODES.arrayNode().add(trace);
  }

  private static VisdomCommand append(double x) {
    return new VisdomCommand.UpdateWindow(
        "main", "loss", trace(x), Json.object(), Json.object(), "train", true, false, null);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
