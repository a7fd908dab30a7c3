package io.vizrelay.common.store.embedded;

import static io.vizrelay.common.store.StoreFixtures.append;
import static io.vizrelay.common.store.StoreFixtures.await;
import static io.vizrelay.common.store.StoreFixtures.xs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's redo journal: records survive a torn or corrupt tail up to the damage, and a store
 * whose acknowledged writes were only in the journal when it "crashed" (its files copied while it
 * ran, SQLite not yet holding the frames) comes back with every one of them, a delete and a
 * re-created task included.
 */
class JournalTest {
  static final String TASK = "journal-task";

  @TempDir Path dir;

  @Test
  void recordsRoundTripAndATornTailEndsTheJournal() throws Exception {
    List<Journal.Record> written = records(3);
    try (Journal journal = Journal.open(dir)) {
      journal.append(written.subList(0, 2));
      journal.append(written.subList(2, 3));
      assertTrue(journal.size() > 0);
    }
    byte[] whole = Files.readAllBytes(dir.resolve(Journal.FILE));
    // a torn append: a length that promises more than is there
    Files.write(
        dir.resolve(Journal.FILE), new byte[] {0, 0, 1, 0, 1, 2, 3}, StandardOpenOption.APPEND);
    List<byte[]> recovered = Journal.recover(dir);
    assertEquals(3, recovered.size());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(encode(written.get(i)), recovered.get(i));
      assertArrayEquals(
          recovered.get(i),
          encode((Journal.Record) LogOps.decode(recovered.get(i))),
          "a decoded record encodes to the same bytes");
    }
    // a flipped byte in the second record: only the first survives
    whole[whole.length / 2] ^= 0x5a;
    Files.write(dir.resolve(Journal.FILE), whole);
    assertEquals(1, Journal.recover(dir).size());
  }

  @Test
  void openingEmptiesTheJournalAndClearTruncatesIt() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      journal.append(records(2));
    }
    try (Journal journal = Journal.open(dir)) {
      assertEquals(0, Files.size(dir.resolve(Journal.FILE)));
      journal.append(records(1));
      assertTrue(Files.size(dir.resolve(Journal.FILE)) > 0);
      journal.clear();
      assertEquals(0, Files.size(dir.resolve(Journal.FILE)));
    }
  }

  @Test
  void acknowledgedWritesOnlyInTheJournalAreRedoneAfterACrash() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(dir));
    for (int i = 0; i < 300; i++) {
      await(store.apply(TASK, append(i)));
      await(store.apply(TASK + "-other", append(-i)));
    }
    Snapshot before = await(store.snapshot(TASK, "main"));
    Snapshot otherBefore = await(store.snapshot(TASK + "-other", "main"));
    Path crashed = crashCopy(dir);
    assertEquals(0, framesIn(crashed), "SQLite does not hold the frames yet: the journal does");
    assertTrue(Files.size(crashed.resolve(Journal.FILE)) > 0);
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(crashed));
    assertEquals(0, Files.size(crashed.resolve(Journal.FILE)), "the redo emptied the journal");
    assertEquals(600, framesIn(crashed), "the redo put every frame into SQLite");
    assertSameState(before, await(reopened.snapshot(TASK, "main")));
    assertSameState(otherBefore, await(reopened.snapshot(TASK + "-other", "main")));
    assertEquals(301, await(reopened.apply(TASK, append(300))).deltas().get(0).seq());
    await(reopened.close());
    assertEquals(601, framesIn(crashed));
  }

  @Test
  void aDeleteAndANewLifeOfTheTaskAreRedoneInOrder() throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(dir));
    for (int i = 0; i < 20; i++) {
      await(store.apply(TASK, append(i)));
    }
    String oldEpoch = await(store.stats(TASK)).epoch();
    assertTrue(await(store.delete(TASK)));
    for (int i = 100; i < 105; i++) {
      await(store.apply(TASK, append(i)));
    }
    Snapshot before = await(store.snapshot(TASK, "main"));
    assertNotEquals(oldEpoch, before.epoch());
    Path crashed = crashCopy(dir);
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(crashed));
    Snapshot after = await(reopened.snapshot(TASK, "main"));
    assertSameState(before, after);
    assertEquals(5, after.seq(), "only the new life's frames");
    await(reopened.close());
  }

  @Test
  void whileSqliteRefusesTheJournalNothingNewIsAcknowledgedAndNothingAcknowledgedIsLost()
      throws Exception {
    VizConfig config = config(dir, "20");
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config);
    List<Double> acknowledged = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      await(store.apply(TASK, append(i)));
      acknowledged.add((double) i);
    }
    // SQLite refuses the next move of the journal: a trigger on another connection
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vizrelay.db"))) {
      c.createStatement()
          .execute(
              "CREATE TRIGGER poison BEFORE INSERT ON frames WHEN NEW.task_id = 'poison'"
                  + " BEGIN SELECT RAISE(ABORT, 'injected'); END");
    }
    await(store.apply("poison", append(42))); // journaled, so acknowledged
    int x = 5;
    ApiException refused = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (refused == null) {
      assertTrue(System.nanoTime() < deadline, "writes kept being acknowledged");
      try {
        await(store.apply(TASK, append(x)));
        acknowledged.add((double) x);
      } catch (ExecutionException e) {
        refused = (ApiException) e.getCause();
      }
      x++;
    }
    assertEquals(ErrorCode.UNAVAILABLE, refused.code());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vizrelay.db"))) {
      c.createStatement().execute("DROP TRIGGER poison");
    }
    boolean back = false;
    while (!back) {
      assertTrue(System.nanoTime() < deadline, "writes did not come back after SQLite did");
      try {
        await(store.apply(TASK, append(x)));
        acknowledged.add((double) x);
        back = true;
      } catch (ExecutionException e) {
        assertEquals(ErrorCode.UNAVAILABLE, ((ApiException) e.getCause()).code());
      }
      x++;
    }
    assertEquals(acknowledged, xs(store, TASK), "in memory: exactly the acknowledged points");
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config);
    assertEquals(acknowledged, xs(reopened, TASK), "on disk: exactly the acknowledged points");
    assertEquals(List.of(42.0), xs(reopened, "poison"), "the refused move was retried");
    assertEquals(0, Files.size(dir.resolve(Journal.FILE)));
    await(reopened.close());
  }

  private static void assertSameState(Snapshot expected, Snapshot actual) {
    assertEquals(expected.epoch(), actual.epoch());
    assertEquals(expected.seq(), actual.seq());
    assertEquals(json(expected), json(actual));
  }

  private static String json(Snapshot s) {
    StringBuilder out = new StringBuilder();
    for (Buffer b : s.frames()) {
      out.append(b.toString()).append('\n');
    }
    return out.toString();
  }

  /** The data directory as a kill -9 would leave it now: every file the running store wrote. */
  private static Path crashCopy(Path dir) throws Exception {
    Path copy = Files.createTempDirectory(dir.getParent(), "crashed");
    for (String name : List.of("vizrelay.db", "vizrelay.db-wal", Journal.FILE)) {
      if (Files.exists(dir.resolve(name))) {
        Files.copy(dir.resolve(name), copy.resolve(name));
      }
    }
    return copy;
  }

  private static long framesIn(Path dir) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vizrelay.db"));
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM frames")) {
      return rs.getLong(1);
    }
  }

  /**
   * Writes stay in the journal for ten minutes unless a read needs them: a crash finds them there.
   */
  private static VizConfig config(Path dir) {
    return config(dir, "600000");
  }

  private static VizConfig config(Path dir, String journalMs) {
    return VizConfig.fromEnv(
        Map.of(
            "VIZRELAY_DATA_DIR",
            dir.toString(),
            "VIZRELAY_FSYNC",
            "batch",
            "VIZRELAY_JOURNAL_MS",
            journalMs));
  }

  private static List<Journal.Record> records(int n) {
    List<Journal.Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Delta d =
          new Delta(
              TASK,
              "e1",
              i + 1,
              i % 2 == 0 ? null : "env-é",
              Buffer.buffer("{\"x\":" + i + "}"),
              null);
      out.add(
          (Journal.Record)
              (i == 0
                  ? LogOps.createTask(TASK, "e1", 1234)
                  : LogOps.appendFrames(TASK, List.of(d, d), 5678 + i)));
    }
    return out;
  }

  private static byte[] encode(Journal.Record r) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.encode(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }
}
