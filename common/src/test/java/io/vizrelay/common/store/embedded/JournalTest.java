package io.vizrelay.common.store.embedded;

import static io.vizrelay.common.store.StoreFixtures.append;
import static io.vizrelay.common.store.StoreFixtures.await;
import static io.vizrelay.common.store.StoreFixtures.xs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.visdom.VisdomCommand;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
  void recordsRoundTripAndACorruptRecordEndsTheJournal() throws Exception {
    List<Journal.Record> written = records(3);
    try (Journal journal = Journal.open(dir)) {
      for (Journal.Record r : written) {
        assertTrue(journal.append(r));
      }
      assertTrue(journal.size() > 0);
    }
    List<byte[]> recovered = Journal.recover(dir);
    assertEquals(3, recovered.size());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(encode(written.get(i)), recovered.get(i));
      assertArrayEquals(
          encode(written.get(i)),
          encode((Journal.Record) LogOps.decode(recovered.get(i))),
          "decode(encode(r)) encodes as r");
    }
    // a flipped byte in the second record's payload ends the journal before it
    Path segment = dir.resolve(Journal.FILES.get(0));
    byte[] bytes = Files.readAllBytes(segment);
    int second = 16 + 8 + encode(written.get(0)).length;
    bytes[second + 8 + 3] ^= 0x40;
    Files.write(segment, bytes);
    assertEquals(1, Journal.recover(dir).size());
  }

  @Test
  void segmentsReplayOldestFirstAndAReusedSegmentsStaleRecordsAreNotReplayed() throws Exception {
    Journal.Record first = frames(10);
    Journal.Record stale1 = frames(11);
    Journal.Record stale2 = frames(12);
    try (Journal journal = Journal.open(dir)) {
      assertTrue(journal.append(first));
      assertTrue(journal.append(stale1));
      assertTrue(journal.append(stale2)); // segment a, generation 1
      journal.switchSegments();
      Journal.Record inB = frames(20);
      assertTrue(journal.append(inB)); // segment b, generation 2
      assertEquals(
          List.of(first, stale1, stale2, inB).stream().map(JournalTest::encodeQuietly).toList(),
          asStrings(Journal.recover(dir)));
      journal.resetInactive(); // a's writes are in SQLite
      assertEquals(List.of(encodeQuietly(inB)), asStrings(Journal.recover(dir)));
      journal.switchSegments(); // a again, generation 3, its old records still on disk
      Journal.Record again = frames(13); // as long as `first`: the next read meets stale1 exactly
      assertEquals(encode(first).length, encode(again).length);
      assertTrue(journal.append(again));
      assertEquals(
          List.of(encodeQuietly(inB), encodeQuietly(again)),
          asStrings(Journal.recover(dir)),
          "b (generation 2) first, then a's new record; a's generation-1 records are not redone");
    }
  }

  @Test
  void aRecordLargerThanASegmentIsRefusedWithNothingWritten() throws Exception {
    try (Journal journal = Journal.open(dir)) {
      assertTrue(journal.append(frames(1)));
      byte[] big = new byte[Journal.SEGMENT_BYTES];
      Delta d = new Delta(TASK, "e1", 2, null, Buffer.buffer(big), null);
      assertFalse(journal.append((Journal.Record) LogOps.appendFrames(TASK, List.of(d), 1)));
      assertTrue(journal.append(frames(3)));
    }
    assertEquals(2, Journal.recover(dir).size());
  }

  @Test
  void theEarlierVersionsJournalFileIsRedoneFirstThenRemoved() throws Exception {
    byte[] payload = encode(frames(7));
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer legacy = ByteBuffer.allocate(8 + payload.length);
    legacy.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    Files.write(dir.resolve(Journal.LEGACY_FILE), legacy.array());
    assertEquals(
        List.of(new String(payload, StandardCharsets.ISO_8859_1)), asStrings(Journal.recover(dir)));

    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(dir));
    assertFalse(Files.exists(dir.resolve(Journal.LEGACY_FILE)));
    assertEquals(1, framesIn(dir), "the legacy record's frame is in SQLite");
    await(store.close());
  }

  @ParameterizedTest
  @ValueSource(strings = {"batch", "always"})
  void aWriteTooLargeForTheJournalGoesToSqliteBeforeItIsAcknowledged(String fsync)
      throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(dir, "600000", fsync));
    await(store.apply(TASK, append(-1)));
    int n = 300_000; // ≈ 11 MB of frame: more than a journal segment
    await(store.apply(TASK, appendMany(n)));
    await(store.apply(TASK, append(-2)));
    List<Double> before = xs(store, TASK);
    assertEquals(n + 2, before.size());
    Path crashed = crashCopy(dir);
    assertTrue(framesIn(crashed) >= 2, "the large write is in SQLite: it did not fit the journal");
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(crashed, "600000", fsync));
    assertEquals(before, xs(reopened, TASK));
    assertEquals(4, await(reopened.apply(TASK, append(-3))).deltas().get(0).seq());
    await(reopened.close());
  }

  /**
   * 40 writes of ≈ 1.1 MB with ten minutes between scheduled moves: the writer switches segments
   * early each time one is half full, so the journal's two segments carry ≈ 45 MB, and a crash at
   * the end still finds every acknowledged point.
   */
  @ParameterizedTest
  @ValueSource(strings = {"batch", "always"})
  void writesThatFillSegmentsSwitchThemEarlyAndSurviveACrash(String fsync) throws Exception {
    EmbeddedTaskStore store = EmbeddedTaskStore.openBlocking(config(dir, "600000", fsync));
    int n = 30_000;
    for (int i = 0; i < 40; i++) {
      await(store.apply(TASK + (i % 3), appendMany(n)));
    }
    List<List<Double>> before = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      before.add(xs(store, TASK + t));
    }
    assertEquals(14 * n, before.get(0).size());
    Path crashed = crashCopy(dir);
    assertTrue(framesIn(crashed) > 0, "early moves put some writes into SQLite");
    assertTrue(Journal.recover(crashed).size() < 40 + 3, "and took them out of the journal");
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(crashed, "600000", fsync));
    for (int t = 0; t < 3; t++) {
      assertEquals(before.get(t), xs(reopened, TASK + t), "task " + t);
    }
    await(reopened.close());
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
    assertEquals(600 + 2, Journal.recover(crashed).size(), "two creations and 600 appends");
    await(store.close());

    EmbeddedTaskStore reopened = EmbeddedTaskStore.openBlocking(config(crashed));
    assertTrue(Journal.recover(crashed).isEmpty(), "the redo emptied the journal");
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
    assertTrue(Journal.recover(dir).isEmpty());
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
    List<String> files = new ArrayList<>(List.of("vizrelay.db", "vizrelay.db-wal"));
    files.addAll(Journal.FILES);
    for (String name : files) {
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
    return config(dir, journalMs, "batch");
  }

  private static VizConfig config(Path dir, String journalMs, String fsync) {
    return VizConfig.fromEnv(
        Map.of(
            "VIZRELAY_DATA_DIR",
            dir.toString(),
            "VIZRELAY_FSYNC",
            fsync,
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

  private static Journal.Record frames(int i) {
    Delta d = new Delta(TASK, "e1", i, "main", Buffer.buffer("{\"x\":" + i + "}"), null);
    return (Journal.Record) LogOps.appendFrames(TASK, List.of(d), 5678);
  }

  /**
   * One append of n points (x = i + 1/3, y = 2x: 17 digits each) to the window the one-point
   * fixture writes.
   */
  private static VisdomCommand appendMany(int n) {
    ObjectNode trace = Json.object();
    ArrayNode x = trace.putArray("x");
    ArrayNode y = trace.putArray("y");
    for (int i = 0; i < n; i++) {
      x.add(i + 1.0 / 3);
      y.add(2 * (i + 1.0 / 3));
    }
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    return new VisdomCommand.UpdateWindow(
        "main",
        "loss",
        Json.NODES.arrayNode().add(trace),
        Json.object(),
        Json.object(),
        "train",
        true,
        false,
        null);
  }

  private static List<String> asStrings(List<byte[]> payloads) {
    return payloads.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
  }

  private static String encodeQuietly(Journal.Record r) {
    try {
      return new String(encode(r), StandardCharsets.ISO_8859_1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encode(Journal.Record r) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.encode(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }
}
