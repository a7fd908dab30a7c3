package io.vizrelay.common.store.embedded;

import io.vizrelay.common.config.VizConfig.Fsync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded write-ahead log: one SQLite file ({@code <dataDir>/vizrelay.db}, WAL mode) with the
 * frames of every task, their snapshots and the task list, in front of it a {@link Journal}. One
 * writer thread drains a queue: each group of ops is appended to the journal in one write (with
 * {@link Fsync#ALWAYS} fdatasynced) before the group's futures complete (group commit); the
 * journaled ops then go to SQLite in large transactions (after {@code VIZRELAY_JOURNAL_MS}, {@link
 * #INGEST_OPS} ops, or at once when a read waits for them: {@link #written}), after which the
 * journal is emptied. Opening redoes what a crash left in the journal. Reads use a second
 * connection.
 */
final class SqliteLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteLog.class);
  private static final int MAX_BATCH = 2000;

  /** Journaled ops go to SQLite once this many wait, ... */
  static final int INGEST_OPS = 4096;

  /** ... or the oldest waited {@link #ingestAgeNanos}, or a read waits for them. */
  private final long ingestAgeNanos;

  /**
   * Page cache per connection, KiB (SQLite's default is 2,000): the leaf pages of the tasks being
   * written stay cached, so an append does not read its page back from the file.
   */
  private static final int CACHE_KIB = 8192;

  private final Connection writer;
  private final Statements statements;
  private final Connection reader;
  private final Fsync fsync;
  private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Journal journal;

  /** Ops made durable by the journal and not yet committed to SQLite, in order (writer only). */
  private final List<Op> unsaved = new ArrayList<>();

  private long unsavedSince;
  private int awaitingDatabase;

  /**
   * The last move of journaled ops into SQLite failed: new groups fail (503) until a retry
   * succeeds, so nothing new is acknowledged that a load from SQLite could not see.
   */
  private boolean ingestFailing;

  private final Thread thread;
  private volatile boolean running = true;

  /** One unit of work for the writer thread. */
  interface Op {
    void execute(Statements writer) throws SQLException;

    CompletableFuture<Void> done();
  }

  /** A stored task as found at start-up. */
  record StoredTask(String taskId, String epoch, long snapshotSeq, byte[] snapshot) {}

  /** A stored frame. */
  record StoredFrame(long seq, String env, byte[] frame) {}

  SqliteLog(Path dataDir, Fsync fsync, java.time.Duration journalTime) throws Exception {
    this.ingestAgeNanos = journalTime.toNanos();
    Files.createDirectories(dataDir);
    String url = "jdbc:sqlite:" + dataDir.resolve("vizrelay.db").toAbsolutePath();
    this.fsync = fsync;
    this.writer = DriverManager.getConnection(url, writerProperties());
    configure(writer, fsync);
    createSchema(writer);
    writer.setAutoCommit(false);
    this.statements = new Statements(writer);
    replay(dataDir);
    this.journal = Journal.open(dataDir);
    this.reader = DriverManager.getConnection(url);
    this.thread = new Thread(this::runWriter, "vizrelay-log-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * The writer's driver settings: no generated keys (the driver would otherwise run {@code SELECT
   * last_insert_rowid()} after every insert, a tenth of the writer's time in a profile of 1-point
   * ingest; no caller reads them).
   */
  private static java.util.Properties writerProperties() {
    SQLiteConfig config = new SQLiteConfig();
    config.setGetGeneratedKeys(false);
    return config.toProperties();
  }

  private static void configure(Connection c, Fsync fsync) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA cache_size=-" + CACHE_KIB);
      s.execute("PRAGMA synchronous=" + (fsync == Fsync.ALWAYS ? "FULL" : "OFF"));
      s.execute("PRAGMA busy_timeout=5000");
    }
  }

  private static void createSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS tasks(task_id TEXT PRIMARY KEY, epoch TEXT NOT NULL, created_at INTEGER NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS frames(task_id TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,"
              + " env TEXT, frame BLOB NOT NULL, PRIMARY KEY(task_id, seq)) WITHOUT ROWID");
      s.execute(
          "CREATE TABLE IF NOT EXISTS snapshots(task_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, state BLOB NOT NULL)");
    }
  }

  /**
   * Queues an op; its future completes once the op is durable: journaled, or committed for an op
   * the journal does not keep (at once with {@link Fsync#NEVER}).
   */
  CompletableFuture<Void> submit(Op op) {
    return enqueue(op)
        ? (fsync == Fsync.NEVER ? CompletableFuture.completedFuture(null) : op.done())
        : CompletableFuture.failedFuture(new IllegalStateException("log is closed"));
  }

  /** Queues unless closed; {@link #close} cannot slip between the check and the add. */
  private synchronized boolean enqueue(Op op) {
    if (!running) {
      return false;
    }
    queue.add(op);
    return true;
  }

  /** Completes after everything queued before it is durable (at once with {@link Fsync#NEVER}). */
  CompletableFuture<Void> barrier() {
    return submit(new Barrier());
  }

  /**
   * Completes after everything queued before it is in the database, whatever the fsync mode: what a
   * read of the database must wait for to see every write made so far.
   */
  CompletableFuture<Void> written() {
    InDatabase b = new InDatabase();
    return enqueue(b) ? b.done() : CompletableFuture.completedFuture(null);
  }

  private void runWriter() {
    List<Op> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Op first = queue.poll(pollNanos(), TimeUnit.NANOSECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
          persist(batch);
        }
        if (ingestDue()) {
          ingest();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
    ingest();
  }

  /**
   * Makes a group durable: journals the ops the journal keeps (one write, plus an fdatasync with
   * {@link Fsync#ALWAYS}) and completes them; the rest wait for the next {@link #ingest}.
   */
  private void persist(List<Op> batch) {
    List<Journal.Record> records = new ArrayList<>(batch.size());
    for (Op op : batch) {
      if (op instanceof Journal.Record r) {
        records.add(r);
      }
    }
    try {
      if (ingestFailing) {
        throw new IOException(
            "the database did not take the journal's last " + unsaved.size() + " ops; retrying");
      }
      journal.append(records);
      if (fsync == Fsync.ALWAYS && !records.isEmpty()) {
        journal.force();
      }
    } catch (IOException | RuntimeException e) {
      if (!ingestFailing) { // a refusal while SQLite fails was logged by the failing move
        LOG.error("journal append failed for a group of {} ops", batch.size(), e);
      }
      batch.forEach(op -> op.done().completeExceptionally(e));
      return;
    }
    if (unsaved.isEmpty()) {
      unsavedSince = System.nanoTime();
    }
    for (Op op : batch) {
      unsaved.add(op);
      if (op instanceof Journal.Record || op instanceof Barrier) {
        op.done().complete(null);
      } else if (op instanceof InDatabase) {
        awaitingDatabase++;
      }
    }
  }

  /** Until the oldest journaled op is due in the database, or 100 ms with none. */
  private long pollNanos() {
    return unsaved.isEmpty()
        ? 100_000_000L
        : Math.max(0, ingestAgeNanos - (System.nanoTime() - unsavedSince));
  }

  /**
   * True when the journaled ops should go to the database now: a read waits for them, or they are
   * many or old enough.
   */
  private boolean ingestDue() {
    return !unsaved.isEmpty()
        && (awaitingDatabase > 0
            || unsaved.size() >= INGEST_OPS
            || System.nanoTime() - unsavedSince >= ingestAgeNanos);
  }

  /**
   * Commits every journaled op to SQLite in one transaction, then empties the journal. On failure
   * the ops stay journaled and are tried again; reads waiting for them fail.
   */
  private void ingest() {
    if (unsaved.isEmpty()) {
      return;
    }
    try {
      for (Op op : unsaved) {
        op.execute(statements);
      }
      writer.commit();
      journal.clear();
      if (ingestFailing) {
        LOG.info("log: the database took the journal again; writes are accepted");
        ingestFailing = false;
      }
    } catch (SQLException | IOException | RuntimeException e) {
      if (!ingestFailing) {
        LOG.error(
            "log commit failed for {} journaled ops; they stay journaled, new writes get 503"
                + " and the move is retried every {} ms",
            unsaved.size(),
            ingestAgeNanos / 1_000_000,
            e);
      }
      ingestFailing = true;
      rollback();
      failDatabaseWaiters(e);
      unsavedSince = System.nanoTime();
      return;
    }
    for (Op op : unsaved) {
      op.done().complete(null); // no-op for the ops completed when journaled
    }
    unsaved.clear();
    awaitingDatabase = 0;
  }

  private void failDatabaseWaiters(Exception e) {
    for (Iterator<Op> it = unsaved.iterator(); it.hasNext(); ) {
      Op op = it.next();
      if (op instanceof InDatabase) {
        op.done().completeExceptionally(e);
        it.remove();
      }
    }
    awaitingDatabase = 0;
  }

  /** Redoes the journal's records left by a crash, in one transaction, before anything else. */
  private void replay(Path dataDir) throws Exception {
    List<byte[]> records = Journal.recover(dataDir);
    if (records.isEmpty()) {
      return;
    }
    for (byte[] record : records) {
      LogOps.decode(record).execute(statements);
    }
    writer.commit();
    LOG.info("log: redid {} journaled writes left by an unclean stop", records.size());
  }

  private void rollback() {
    try {
      writer.rollback();
    } catch (SQLException e) {
      LOG.error("log rollback failed", e);
    }
  }

  /** A stored task's identity, as listed at start-up (no state is read). */
  record TaskId(String taskId, String epoch) {}

  /** Every stored task's id and epoch. Blocking; reads one small table. */
  List<TaskId> listTasks() throws SQLException {
    List<TaskId> tasks = new ArrayList<>();
    synchronized (reader) {
      try (Statement s = reader.createStatement();
          ResultSet rs = s.executeQuery("SELECT task_id, epoch FROM tasks")) {
        while (rs.next()) {
          tasks.add(new TaskId(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return tasks;
  }

  /** One stored task, or null. Blocking. */
  StoredTask loadTask(String taskId) throws SQLException {
    String sql =
        "SELECT t.task_id, t.epoch, s.seq, s.state FROM tasks t LEFT JOIN snapshots s ON s.task_id = t.task_id"
            + " WHERE t.task_id = ?";
    synchronized (reader) {
      try (PreparedStatement ps = reader.prepareStatement(sql)) {
        ps.setString(1, taskId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? new StoredTask(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBytes(4))
              : null;
        }
      }
    }
  }

  /** Frames of a task with seq greater than {@code afterSeq}, in order. Blocking. */
  List<StoredFrame> readFrames(String taskId, long afterSeq) throws SQLException {
    List<StoredFrame> frames = new ArrayList<>();
    synchronized (reader) {
      try (PreparedStatement ps =
          reader.prepareStatement(
              "SELECT seq, env, frame FROM frames WHERE task_id = ? AND seq > ? ORDER BY seq")) {
        ps.setString(1, taskId);
        ps.setLong(2, afterSeq);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            frames.add(new StoredFrame(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
          }
        }
      }
    }
    return frames;
  }

  /** Stops taking ops, commits every op queued so far, then closes the connections. */
  @Override
  public void close() throws Exception {
    synchronized (this) {
      if (running) {
        queue.add(new InDatabase()); // wakes the writer; it commits the journal, then stops
      }
      running = false;
    }
    thread.join();
    journal.close();
    statements.close();
    writer.close();
    reader.close();
  }

  /** An op with its own future. */
  abstract static class BaseOp implements Op {
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public CompletableFuture<Void> done() {
      return done;
    }
  }

  /** Completes once everything queued before it is durable. */
  static final class Barrier extends BaseOp {
    @Override
    public void execute(Statements writer) {}
  }

  /** Completes once everything queued before it is committed to SQLite. */
  static final class InDatabase extends BaseOp {
    @Override
    public void execute(Statements writer) {}
  }
}
