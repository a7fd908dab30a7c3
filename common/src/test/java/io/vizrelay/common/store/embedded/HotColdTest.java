package io.vizrelay.common.store.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.visdom.IdSource;
import io.vizrelay.common.visdom.VisdomCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot and cold tasks: unloading never changes what the store answers; loads are serialized with
 * every operation.
 */
class HotColdTest {
  private static final HotConfig NEVER_UNLOAD = new HotConfig(Duration.ofDays(1), Long.MAX_VALUE);

  @TempDir Path dir;

  private VizConfig config(Path sub) {
    return VizConfig.fromEnv(
        Map.of(
            "VIZRELAY_DATA_DIR",
            dir.resolve(sub).toString(),
            "VIZRELAY_FSYNC",
            "never",
            "VIZRELAY_SNAPSHOT_BYTES",
            "20000"));
  }

  /**
   * One seeded random sequence of commands and reads over many tasks, run on a store that never
   * unloads and on one where tasks are unloaded at random points: the same replies, frames,
   * resumes, snapshots and final states.
   */
  @Test
  void unloadingAtRandomPointsChangesNothingThatIsAnswered() throws Exception {
    EmbeddedTaskStore steady =
        EmbeddedTaskStore.openBlocking(config(Path.of("steady")), NEVER_UNLOAD, counters());
    EmbeddedTaskStore churned =
        EmbeddedTaskStore.openBlocking(config(Path.of("churned")), NEVER_UNLOAD, counters());
    Random random = new Random(20261205L);
    String[] tasks = new String[12];
    for (int i = 0; i < tasks.length; i++) {
      tasks[i] = "diff-" + i;
    }
    int unloads = 0;
    for (int step = 0; step < 3000; step++) {
      String task = tasks[random.nextInt(tasks.length)];
      int kind = random.nextInt(20);
      String where = "step " + step + " task " + task;
      if (kind < 14) {
        long seed = random.nextLong();
        // each store gets its own command: the engine keeps the request's nodes in the state
        assertEquals(
            outcome(steady.apply(task, Commands.random(new Random(seed)))),
            outcome(churned.apply(task, Commands.random(new Random(seed)))),
            where);
      } else if (kind < 16) {
        String env = random.nextBoolean() ? "*" : Commands.env(random);
        assertEquals(
            frames(await(steady.snapshot(task, env))),
            frames(await(churned.snapshot(task, env))),
            where);
      } else if (kind < 18) {
        TaskStore.TaskStats a = await(steady.stats(task));
        TaskStore.TaskStats b = await(churned.stats(task));
        assertEquals(a == null, b == null, where);
        if (a != null) {
          assertEquals(
              List.of(a.lastSeq(), a.windows(), a.envs()),
              List.of(b.lastSeq(), b.windows(), b.envs()),
              where);
          long seq = random.nextInt((int) a.lastSeq() + 2);
          assertEquals(
              since(await(steady.since(task, a.epoch(), seq))),
              since(await(churned.since(task, b.epoch(), seq))),
              where);
        }
      } else {
        if (await(churned.unload(task))) {
          unloads++;
        }
      }
    }
    assertTrue(unloads > 50, "the run unloaded tasks: " + unloads);
    assertTrue(churned.hot().loads() > 50, "and loaded them again: " + churned.hot().loads());
    for (String task : tasks) {
      TaskStore.TaskStats before = await(churned.stats(task));
      await(churned.unload(task));
      assertEquals(
          frames(await(steady.snapshot(task, "*"))),
          frames(await(churned.snapshot(task, "*"))),
          task);
      TaskStore.TaskStats after = await(churned.stats(task));
      if (before != null) {
        assertEquals(before.epoch(), after.epoch(), "the stream life continues across an unload");
        assertEquals(before.lastSeq(), after.lastSeq());
      }
    }
    await(steady.close());
    await(churned.close());
  }

  @Test
  void operationsArrivingWhileATaskLoadsWaitForItAndKeepTheirOrder() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(Path.of("load")), NEVER_UNLOAD);
    String task = "big-load";
    for (int i = 0; i < 4; i++) {
      await(store.apply(task, Commands.bigAppend(i * 50_000, 50_000)));
    }
    TaskStore.TaskStats before = await(store.stats(task));
    assertTrue(await(store.unload(task)));
    assertFalse(await(store.residency(task)).hot());
    long loads = store.hot().loads();

    List<Future<Applied>> applies = new ArrayList<>();
    applies.add(store.apply(task, Commands.bigAppend(200_000, 1)));
    Future<Since> since = store.since(task, before.epoch(), before.lastSeq());
    Future<Snapshot> snapshot = store.snapshot(task, "*");
    applies.add(store.apply(task, Commands.bigAppend(200_001, 1)));
    Future<TaskStore.TaskStats> stats = store.stats(task);
    applies.add(store.apply(task, Commands.bigAppend(200_002, 1)));

    for (int i = 0; i < applies.size(); i++) {
      assertEquals(
          before.lastSeq() + 1 + i,
          await(applies.get(i)).deltas().get(0).seq(),
          "seq continues, in order");
    }
    Since s = await(since);
    assertFalse(s.gone());
    assertEquals(
        List.of(before.lastSeq() + 1),
        s.deltas().stream().map(Delta::seq).toList(),
        "since sees exactly the write queued before it");
    assertEquals(before.lastSeq() + 1, await(snapshot).seq());
    assertEquals(before.lastSeq() + 2, await(stats).lastSeq());
    assertEquals(before.epoch(), await(stats).epoch());
    assertEquals(loads + 1, store.hot().loads(), "one load for all of them");
    assertEquals(200_003, points(store, task));
    await(store.close());
  }

  @Test
  void idleUnwatchedTasksGoColdAndWatchedOnesStay() throws Exception {
    EmbeddedTaskStore store =
        EmbeddedTaskStore.openBlocking(
            config(Path.of("idle")), new HotConfig(Duration.ZERO, Long.MAX_VALUE));
    store.watch("watched");
    await(store.apply("watched", Commands.bigAppend(0, 10)));
    await(store.apply("idle", Commands.bigAppend(0, 10)));
    awaitTrue(() -> !hot(store, "idle"), "the idle task is unloaded by the sweeper");
    assertTrue(hot(store, "watched"), "a task with an open session stays");
    store.unwatch("watched");
    awaitTrue(() -> !hot(store, "watched"), "once unwatched it goes cold too");
    assertEquals(10, points(store, "watched"), "and loads back whole");
    assertEquals(0L, await(store.residency("idle")).stateBytes());
    await(store.close());
  }

  @Test
  void pastTheBoundTheLeastRecentlyUsedUnwatchedTasksGoFirst() throws Exception {
    EmbeddedTaskStore store =
        EmbeddedTaskStore.openBlocking(
            config(Path.of("bound")), new HotConfig(Duration.ofDays(1), 1));
    store.watch("t0");
    for (int i = 0; i < 4; i++) {
      await(store.apply("t" + i, Commands.bigAppend(0, 20_000)));
    }
    awaitTrue(
        () -> !hot(store, "t1") && !hot(store, "t2") && !hot(store, "t3"),
        "unwatched tasks unloaded");
    awaitTrue(() -> !hot(store, "t0"), "then the watched one, as the bound still is exceeded");
    assertEquals(0, store.hot().hotTasks());
    assertEquals(20_000, points(store, "t2"));
    await(store.close());
  }

  @Test
  void openingLoadsNothingAndTheFirstSnapshotIsExact() throws Exception {
    Path sub = Path.of("reopen");
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(sub), NEVER_UNLOAD);
    List<List<String>> before = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      await(store.apply("r" + i, Commands.bigAppend(0, 1000 + i)));
      await(store.apply("r" + i, Commands.bigAppend(1000 + i, 7)));
      before.add(frames(await(store.snapshot("r" + i, "*"))));
    }
    await(store.close());
    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(sub), NEVER_UNLOAD);
    assertEquals(20, await(reopened.taskIds()).size());
    assertEquals(0, reopened.hot().hotTasks(), "no task is loaded at start");
    for (int i = 0; i < 20; i++) {
      assertEquals(before.get(i), frames(await(reopened.snapshot("r" + i, "*"))));
    }
    assertEquals(20, reopened.hot().loads());
    await(reopened.close());
  }

  /**
   * A data directory written before snapshots took the binary tree form (same schema, snapshots as
   * JSON text) opens and reads exactly as before: the snapshot is parsed as JSON, the frames after
   * it replayed.
   */
  @Test
  void anOlderDataDirectoryWithJsonSnapshotsReadsTheSame() throws Exception {
    Path sub = Path.of("older");
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(sub), NEVER_UNLOAD);
    List<List<String>> before = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      await(store.apply("o" + i, Commands.bigAppend(0, 3000 + i)));
      await(store.apply("o" + i, Commands.bigAppend(3000 + i, 5)));
      before.add(frames(await(store.snapshot("o" + i, "*"))));
    }
    await(store.close());
    int rewritten = snapshotsToJsonText(dir.resolve(sub).resolve("vizrelay.db"));
    assertEquals(6, rewritten, "every task had a binary snapshot, now JSON text");
    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(sub), NEVER_UNLOAD);
    for (int i = 0; i < 6; i++) {
      assertEquals(before.get(i), frames(await(reopened.snapshot("o" + i, "*"))), "task o" + i);
    }
    await(reopened.close());
  }

  /** Rewrites every stored snapshot as JSON text, as versions before the binary form stored it. */
  private static int snapshotsToJsonText(Path db) throws Exception {
    int n = 0;
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT task_id, state FROM snapshots")) {
      List<Object[]> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new Object[] {rs.getString(1), rs.getBytes(2)});
      }
      for (Object[] row : rows) {
        byte[] tree = (byte[]) row[1];
        assertTrue(io.vizrelay.common.json.TreeCodec.isTree(tree));
        byte[] json = Json.bytes(io.vizrelay.common.json.TreeCodec.fromBytes(tree));
        try (java.sql.PreparedStatement ps =
            c.prepareStatement("UPDATE snapshots SET state = ? WHERE task_id = ?")) {
          ps.setBytes(1, json);
          ps.setString(2, (String) row[0]);
          n += ps.executeUpdate();
        }
      }
    }
    return n;
  }

  /**
   * Close waits for the shards, then the log: every write acknowledged before or during close is on
   * disk.
   */
  @Test
  void closeLosesNoAcknowledgedWrite() throws Exception {
    Path sub = Path.of("close");
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(sub), NEVER_UNLOAD);
    List<Future<Applied>> pending = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      pending.add(store.apply("c" + (i % 8), Commands.bigAppend(i / 8, 1)));
    }
    await(store.close());
    int[] acknowledged = new int[8];
    for (int i = 0; i < pending.size(); i++) {
      Future<Applied> f = pending.get(i);
      awaitTrue(f::isComplete, "every apply completes");
      if (f.succeeded()) {
        acknowledged[i % 8]++;
      }
    }
    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(sub), NEVER_UNLOAD);
    int total = 0;
    for (int t = 0; t < 8; t++) {
      int stored = acknowledged[t] == 0 ? 0 : points(reopened, "c" + t);
      assertTrue(
          stored >= acknowledged[t],
          "task c" + t + ": " + stored + " stored, " + acknowledged[t] + " acknowledged");
      total += acknowledged[t];
    }
    assertTrue(total > 0, "some writes were acknowledged");
    await(reopened.close());
  }

  private static boolean hot(EmbeddedTaskStore store, String task) {
    try {
      return await(store.residency(task)).hot();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int points(EmbeddedTaskStore store, String task) throws Exception {
    Applied a = await(store.apply(task, new VisdomCommand.GetWinData("main", "big")));
    return Json.parseTrusted(a.reply().body().getBytes())
        .path("content")
        .path("data")
        .path(0)
        .path("x")
        .size();
  }

  private static List<String> frames(Snapshot s) {
    List<String> out = new ArrayList<>();
    out.add("seq=" + s.seq() + " envs=" + s.envs());
    s.frames().forEach(b -> out.add(b.toString()));
    return out;
  }

  private static List<String> since(Since s) {
    if (s.gone()) {
      return List.of("GONE");
    }
    return s.deltas().stream().map(d -> d.seq() + " " + d.env() + " " + d.stored()).toList();
  }

  private static List<String> outcome(Future<Applied> f) throws Exception {
    try {
      Applied a = await(f);
      List<String> out = new ArrayList<>();
      out.add(a.reply().json() + " " + a.reply().body());
      a.deltas().forEach(d -> out.add(d.seq() + " " + d.env() + " " + d.stored()));
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException api) {
        return List.of("error " + api.code() + " " + api.getMessage());
      }
      throw e;
    }
  }

  private static IdSource counters() {
    return new IdSource() {
      private long n;

      @Override
      public String contentId() {
        return "c" + (++n);
      }

      @Override
      public String windowId() {
        return "w" + (++n);
      }
    };
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    T value = f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertNotNull(f);
    return value;
  }

  /** Random visdom commands over a few envs and windows, plausible enough to mostly succeed. */
  static final class Commands {
    private static final String[] ENVS = {"main", "e2", "e3"};
    private static final String[] WINS = {"big", "w1", "w2", "txt"};

    static String env(Random r) {
      return ENVS[r.nextInt(ENVS.length)];
    }

    static VisdomCommand random(Random r) {
      String env = env(r);
      String win = WINS[r.nextInt(WINS.length)];
      return switch (r.nextInt(14)) {
        case 0, 1 ->
            "txt".equals(win)
                ? new VisdomCommand.CreateWindow(
                    env, win, text("hello " + r.nextInt(9)), Json.object(), Json.object())
                : new VisdomCommand.CreateWindow(
                    env,
                    win,
                    line(r, r.nextInt(5), 1 + r.nextInt(20)),
                    Json.object(),
                    Json.object());
        case 2, 3, 4, 5 ->
            new VisdomCommand.UpdateWindow(
                env,
                win,
                line(r, r.nextInt(100), 1 + r.nextInt(30)),
                Json.object(),
                Json.object(),
                "t",
                true,
                false,
                null);
        case 6 ->
            new VisdomCommand.UpdateWindow(
                env,
                win,
                line(r, 0, 1 + r.nextInt(5)),
                Json.object(),
                Json.object(),
                "t",
                false,
                false,
                null);
        case 7 -> new VisdomCommand.CloseWindow(env, win);
        case 8 -> new VisdomCommand.GetWinData(env, r.nextBoolean() ? win : null);
        case 9 -> new VisdomCommand.WinExists(env, win);
        case 10 -> new VisdomCommand.ForkEnv(env, env(r));
        case 11 -> new VisdomCommand.DeleteEnv(env);
        case 12 ->
            new VisdomCommand.LayoutItemUpdate(
                env, win, Json.object().put("x", r.nextInt(9)).put("w", 3));
        default ->
            new VisdomCommand.SetWinData(
                env,
                win,
                "{\"id\":\""
                    + win
                    + "\",\"type\":\"plot\",\"i\":"
                    + r.nextInt(5)
                    + ",\"content\":{\"data\":[{\"x\":[1,2.5,3],\"y\":[0.1,0.2,null],\"type\":\"scatter\",\"name\":\"t\"}],"
                    + "\"layout\":{}},\"contentID\":\"s\",\"command\":\"window\"}");
      };
    }

    private static ArrayNode text(String s) {
      ArrayNode data = Json.NODES.arrayNode();
      data.add(Json.object().put("content", s).put("type", "text"));
      return data;
    }

    /** One scatter trace named t: x integers from {@code from} (or fractions), y mixed numbers. */
    private static ArrayNode line(Random r, int from, int n) {
      ObjectNode trace = Json.object();
      ArrayNode x = trace.putArray("x");
      ArrayNode y = trace.putArray("y");
      boolean fractional = r.nextInt(4) == 0;
      for (int i = 0; i < n; i++) {
        if (fractional) {
          x.add((from + i) / 4.0);
        } else {
          x.add(from + i);
        }
        switch (r.nextInt(6)) {
          case 0 -> y.add(r.nextInt(100));
          case 1 -> y.add(Double.NaN);
          default -> y.add(r.nextDouble());
        }
      }
      trace.put("type", "scatter").put("mode", "lines").put("name", "t");
      ArrayNode data = Json.NODES.arrayNode();
      data.add(trace);
      return data;
    }

    /** An append of {@code n} points (x from {@code from}) to window {@code big} of env main. */
    static VisdomCommand bigAppend(int from, int n) {
      ObjectNode trace = Json.object();
      ArrayNode x = trace.putArray("x");
      ArrayNode y = trace.putArray("y");
      for (int i = 0; i < n; i++) {
        x.add(from + i);
        y.add(Math.sin((from + i) / 100.0));
      }
      trace.put("type", "scatter").put("mode", "lines").put("name", "t");
      ArrayNode data = Json.NODES.arrayNode();
      data.add(trace);
      return new VisdomCommand.UpdateWindow(
          "main", "big", data, Json.object(), Json.object(), "t", true, false, null);
    }
  }
}
