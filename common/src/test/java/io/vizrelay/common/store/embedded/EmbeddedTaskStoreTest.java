package io.vizrelay.common.store.embedded;

import static io.vizrelay.common.store.StoreFixtures.append;
import static io.vizrelay.common.store.StoreFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.TaskStore.TaskStats;
import io.vizrelay.common.visdom.VisdomCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded tier: numbering, durability across reopen, snapshots, and since from memory and
 * disk.
 */
class EmbeddedTaskStoreTest {
  static final String TASK = "alice-store";

  @TempDir Path dir;

  private VizConfig config(long snapshotBytes) {
    return VizConfig.fromEnv(
        Map.of(
            "VIZRELAY_DATA_DIR",
            dir.toString(),
            "VIZRELAY_FSYNC",
            "batch",
            "VIZRELAY_SNAPSHOT_BYTES",
            Long.toString(snapshotBytes),
            "VIZRELAY_RETAIN_SECONDS",
            "0",
            "VIZRELAY_RETAIN_FRAMES",
            "100"));
  }

  @Test
  void aNewLogHasSixteenKibPagesAndAnOlderLogKeepsItsOwn() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(1 << 30));
    await(store.apply(TASK, append(1)));
    await(store.close());
    assertEquals(SqliteLog.PAGE_BYTES, pageSize(dir));

    // a log made before the page size was set (SQLite's default, 4 KiB) opens and keeps working
    Path older = dir.resolve("older");
    Files.createDirectories(older);
    try (java.sql.Connection c =
        java.sql.DriverManager.getConnection("jdbc:sqlite:" + older.resolve("vizrelay.db"))) {
      c.createStatement().execute("CREATE TABLE made_before(a)");
    }
    VizConfig olderConfig =
        VizConfig.fromEnv(Map.of("VIZRELAY_DATA_DIR", older.toString(), "VIZRELAY_FSYNC", "batch"));
    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(olderConfig);
    for (int i = 0; i < 3; i++) {
      await(reopened.apply(TASK, append(i)));
    }
    await(reopened.close());
    reopened = EmbeddedTaskStore.openBlocking(olderConfig);
    assertEquals(List.of(0.0, 1.0, 2.0), io.vizrelay.common.store.StoreFixtures.xs(reopened, TASK));
    await(reopened.close());
    assertEquals(4096, pageSize(older));
  }

  private static int pageSize(Path dataDir) throws Exception {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("vizrelay.db"));
        java.sql.ResultSet r = c.createStatement().executeQuery("PRAGMA page_size")) {
      assertTrue(r.next());
      return r.getInt(1);
    }
  }

  @Test
  void framesAreNumberedFromOneWithoutGaps() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(1 << 30));
    for (int i = 0; i < 5; i++) {
      Applied applied = await(store.apply(TASK, append(i)));
      assertEquals(1, applied.deltas().size());
      assertEquals(i + 1, applied.deltas().get(0).seq());
      assertEquals("loss", applied.reply().body());
    }
    await(store.close());
  }

  @Test
  void reopeningReplaysTheLogWithTheSameEpochAndSeq() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(1 << 30));
    for (int i = 0; i < 50; i++) {
      await(store.apply(TASK, append(i)));
    }
    TaskStats before = await(store.stats(TASK));
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(1 << 30));
    TaskStats after = await(reopened.stats(TASK));
    assertEquals(before, after);
    assertEquals(range(50), xs(reopened));
    assertEquals(
        51, await(reopened.apply(TASK, append(50))).deltas().get(0).seq(), "seq continues");
    await(reopened.close());
  }

  @Test
  void snapshotsBoundReplayAndTrimOldFramesButKeepTheRetainedOnes() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(1024));
    for (int i = 0; i < 2000; i++) {
      await(store.apply(TASK, append(i)));
    }
    String epoch = await(store.stats(TASK)).epoch();
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(1024));
    assertEquals(range(2000), xs(reopened), "snapshot + remaining frames rebuild the state");
    Since recent = await(reopened.since(TASK, epoch, 1950));
    assertFalse(recent.gone(), "the retained frames are still served after a restart");
    assertEquals(50, recent.deltas().size());
    assertTrue(
        await(reopened.since(TASK, epoch, 5)).gone(),
        "frames covered by a snapshot and past retention are gone");
    long stored = Files.size(dir.resolve("vizrelay.db"));
    assertTrue(stored > 0);
    await(reopened.close());
  }

  @Test
  void sinceServesTheRingThenTheLogAndRefusesAnotherEpoch() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(1 << 30));
    for (int i = 0; i < TaskSlot.RING + 500; i++) {
      await(store.apply(TASK, append(i)));
    }
    String epoch = await(store.stats(TASK)).epoch();
    assertSeqs(
        await(store.since(TASK, epoch, TaskSlot.RING + 400)),
        TaskSlot.RING + 401,
        TaskSlot.RING + 500);
    assertSeqs(await(store.since(TASK, epoch, 3)), 4, TaskSlot.RING + 500);
    assertTrue(await(store.since(TASK, epoch, TaskSlot.RING + 500)).deltas().isEmpty());
    assertTrue(await(store.since(TASK, "other", 3)).gone());
    assertTrue(
        await(store.since(TASK, epoch, TaskSlot.RING + 501)).gone(),
        "a seq from the future is not ours");
    await(store.close());
  }

  @Test
  void aRejectedCommandChangesNothingAndTakesNoSeq() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(1 << 30));
    await(store.apply(TASK, append(0)));
    ObjectNode noLayout = Json.object();
    noLayout.putArray("x").add(1);
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                await(
                    store.apply(
                        TASK,
                        new VisdomCommand.CreateWindow(
                            "main",
                            "bad",
                            (ArrayNode) Json.object().putArray("d").add(noLayout),
                            null,
                            null))));
    assertTrue(e.getCause() instanceof ApiException);
    assertEquals(1, await(store.stats(TASK)).lastSeq());
    assertEquals(2, await(store.apply(TASK, append(1))).deltas().get(0).seq());
    await(store.close());
  }

  private static void assertSeqs(Since since, long first, long last) {
    assertFalse(since.gone());
    List<Delta> d = since.deltas();
    assertEquals(last - first + 1, d.size());
    for (int i = 0; i < d.size(); i++) {
      assertEquals(first + i, d.get(i).seq());
    }
  }

  private static List<Double> range(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> (double) i).toList();
  }

  private static List<Double> xs(EmbeddedTaskStore store) throws Exception {
    return io.vizrelay.common.store.StoreFixtures.xs(store, TASK);
  }
}
