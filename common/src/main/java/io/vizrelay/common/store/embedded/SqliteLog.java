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
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded write-ahead log: one SQLite file ({@code <dataDir>/vizrelay.db}, WAL mode) with the
 * frames of every task, their snapshots and the task list, in front of it a memory-mapped {@link
 * Journal}. A write's thread appends its record to the journal itself (under this log's lock, which
 * also orders the writer's queue) and, unless {@link Fsync#ALWAYS} asks for an {@code msync} first,
 * the write is durable at once: no hand-off, no wake-up of another thread. One writer thread forces
 * the journal for {@link Fsync#ALWAYS} (group commit: one {@code msync} for every write waiting)
 * and moves the journaled writes into SQLite in large transactions (every {@code
 * VIZRELAY_JOURNAL_MS}, after {@link #INGEST_OPS} writes, when the journal's segment is half full,
 * or at once when a read waits for them: {@link #written}), switching segments first and emptying
 * the old one after the commit. A write that does not fit the journal's segment goes to SQLite
 * directly, and the writes after it follow it until it is committed. Opening redoes what a crash
 * left in the journal. Reads use a second connection.
 */
final class SqliteLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteLog.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /** Journaled ops go to SQLite once this many wait, ... */
  static final int INGEST_OPS = 4096;

  /** ... or {@link #ingestAgeNanos} after the last move, or a read waits for them. */
  private final long ingestAgeNanos;

  /**
   * Page cache per connection, KiB (SQLite's default is 2,000): the leaf pages of the tasks being
   * written stay cached, so an append does not read its page back from the file.
   */
  private static final int CACHE_KIB = 8192;

  /**
   * Page size of a new log file (SQLite's default is 4 KiB). A commit writes every page it dirtied
   * to the WAL with one {@code pwrite} per page and one per page header, and a checkpoint writes
   * them again: with small frames appended to a few tasks, 16 KiB pages cut those system calls
   * fourfold (a third of the writer's time at 4 KiB in a profile of 1-point ingest).
   */
  static final int PAGE_BYTES = 16_384;

  private final Connection writer;
  private final Statements statements;
  private final Connection reader;
  private final Fsync fsync;
  private final Journal journal;

  /** Ops for the writer thread, in the order they were made (added holding this log's lock). */
  private final Queue<Op> queue = new ConcurrentLinkedQueue<>();

  // --- guarded by this log's lock (appenders and the writer's hand-overs) ---
  private boolean running = true;

  /** Ops appended since the writer last took the queue for a move into SQLite. */
  private int appendedSinceMove;

  /** The writer has been woken for an early move and has not yet made it. */
  private boolean moveRequested;

  /**
   * Writes that did not fit the journal (or followed one that did not) and wait for the database:
   * while any wait, the next write follows them, so the journal never holds a write whose
   * predecessor it lacks.
   */
  private int overflowing;

  // --- writer thread only ---
  /** Ops made durable and not yet committed to SQLite, in order. */
  private final List<Op> unsaved = new ArrayList<>();

  private int awaitingDatabase;
  private boolean overflowUnsaved;
  private long lastMoveNanos = System.nanoTime();

  /** The inactive segment holds records not yet known to be in SQLite (a move failed). */
  private boolean inactiveDirty;

  /**
   * The last move of journaled ops into SQLite failed (or the journal could not be written or
   * forced): new writes fail (503) until a retry succeeds, so nothing new is acknowledged that a
   * load from SQLite could not see.
   */
  private volatile boolean ingestFailing;

  private final Thread thread;

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
      // before WAL mode, and only effective when the file is new: an existing log keeps its size
      s.execute("PRAGMA page_size=" + PAGE_BYTES);
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

  /** What {@link #admit} did with an op. */
  private enum Admission {
    /** Durable now: journaled (or nothing to wait for). */
    DURABLE,
    /** Queued; its future completes when the writer made it durable. */
    QUEUED,
    CLOSED,
    FAILING
  }

  /**
   * Makes an op; the future completes once it is durable: journaled (plus forced with {@link
   * Fsync#ALWAYS}), or committed for an op the journal does not keep. With {@link Fsync#NEVER} at
   * once.
   */
  CompletableFuture<Void> submit(Op op) {
    Admission admission;
    try {
      admission = admit(op);
    } catch (IOException | RuntimeException | InternalError e) {
      LOG.error("journal append failed; new writes get 503 until the journal is moved again", e);
      return CompletableFuture.failedFuture(e);
    }
    return switch (admission) {
      case DURABLE -> DONE;
      case QUEUED -> fsync == Fsync.NEVER ? DONE : op.done();
      case CLOSED -> CompletableFuture.failedFuture(new IllegalStateException("log is closed"));
      case FAILING ->
          CompletableFuture.failedFuture(
              new IOException("the database does not take the journal's writes; retrying"));
    };
  }

  /**
   * Journals the op if it is a record, queues it for the writer and wakes the writer when it has
   * something to do before its next scheduled move. Holding this log's lock, so the queue's order
   * is the journal's.
   */
  private synchronized Admission admit(Op op) throws IOException {
    if (!running) {
      return Admission.CLOSED;
    }
    if (ingestFailing) {
      return Admission.FAILING;
    }
    boolean wake;
    boolean durable;
    if (op instanceof Journal.Record && fsync == Fsync.ALWAYS) {
      durable = false; // the writer journals and syncs it with its group
      wake = true;
    } else if (op instanceof Journal.Record record) {
      boolean journaled = overflowing == 0 && appendOrFail(record);
      if (!journaled) {
        ((BaseOp) op).overflow = true;
        overflowing++;
      }
      durable = journaled && fsync != Fsync.ALWAYS;
      wake = !durable || moveIsDue();
    } else if (op instanceof Barrier) {
      durable = overflowing == 0 && fsync != Fsync.ALWAYS;
      if (durable) {
        return Admission.DURABLE;
      }
      wake = true;
    } else {
      durable = false;
      wake = op instanceof InDatabase;
    }
    queue.add(op);
    if (wake) {
      LockSupport.unpark(thread);
    }
    return durable ? Admission.DURABLE : Admission.QUEUED;
  }

  /** Appends to the journal; a failure to write it stops new writes until the next move. */
  private boolean appendOrFail(Journal.Record record) throws IOException {
    try {
      return journal.append(record);
    } catch (IOException | RuntimeException | InternalError e) {
      ingestFailing = true;
      throw e;
    }
  }

  /** True once when enough was appended, or the segment is half full, to move before the tick. */
  private boolean moveIsDue() {
    if (moveRequested) {
      return false;
    }
    moveRequested = ++appendedSinceMove >= INGEST_OPS || journal.halfFull();
    return moveRequested;
  }

  /** Completes after everything made before it is durable (at once with {@link Fsync#NEVER}). */
  CompletableFuture<Void> barrier() {
    return submit(new Barrier());
  }

  /**
   * Completes after everything made before it is in the database, whatever the fsync mode: what a
   * read of the database must wait for to see every write made so far.
   */
  CompletableFuture<Void> written() {
    InDatabase b = new InDatabase();
    return switch (submitQuietly(b)) {
      case CLOSED -> DONE;
      case FAILING ->
          CompletableFuture.failedFuture(
              new IOException("the database does not take the journal's writes; retrying"));
      default -> b.done();
    };
  }

  private Admission submitQuietly(Op op) {
    try {
      return admit(op);
    } catch (IOException e) {
      throw new IllegalStateException(e); // not a record: never appended
    }
  }

  private void runWriter() {
    List<Op> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      LockSupport.parkNanos(this, untilNextMove());
      if (Thread.interrupted()) {
        return;
      }
      stopping = take(batch);
      settle(batch);
      if (stopping || moveDue()) {
        move();
      }
    }
  }

  /**
   * A full period when nothing waits (the first write after a quiet spell thus reaches SQLite
   * within two periods), else what is left of the period since the last move.
   */
  private long untilNextMove() {
    if (unsaved.isEmpty() && queue.isEmpty() && !ingestFailing) {
      return ingestAgeNanos;
    }
    return Math.max(1, ingestAgeNanos - (System.nanoTime() - lastMoveNanos));
  }

  /** Takes the queue into {@code batch}; true once the log is closing (nothing more comes). */
  private synchronized boolean take(List<Op> batch) {
    drain(batch);
    return !running;
  }

  private void drain(List<Op> batch) {
    for (Op op; (op = queue.poll()) != null; ) {
      batch.add(op);
    }
  }

  /**
   * Takes a batch into {@link #unsaved}: with {@link Fsync#ALWAYS} forces the journal first (one
   * {@code msync} for the whole group), then completes the journaled writes and the barriers behind
   * nothing that still waits for the database.
   */
  private void settle(List<Op> batch) {
    if (batch.isEmpty()) {
      return;
    }
    if (fsync == Fsync.ALWAYS && !journaled(batch)) {
      batch.clear();
      return;
    }
    for (Op op : batch) {
      unsaved.add(op);
      if (op instanceof BaseOp b && b.overflow) {
        overflowUnsaved = true;
      } else if (op instanceof InDatabase) {
        awaitingDatabase++;
      } else if (op instanceof Journal.Record || (op instanceof Barrier && !overflowUnsaved)) {
        op.done().complete(null); // a no-op for a write acknowledged when it was journaled
      }
    }
    batch.clear();
  }

  /**
   * With {@link Fsync#ALWAYS}: appends the batch's records to the journal in one write and syncs it
   * (group commit). Records that do not fit, and those after them until the next move, overflow to
   * SQLite. On failure fails the batch and stops new writes until the next move.
   */
  private boolean journaled(List<Op> batch) {
    List<Journal.Record> records = new ArrayList<>();
    for (Op op : batch) {
      if (op instanceof Journal.Record r) {
        records.add(r);
      }
    }
    try {
      int fitting = overflowUnsaved ? 0 : journal.appendAll(records);
      for (int i = fitting; i < records.size(); i++) {
        ((BaseOp) records.get(i)).overflow = true;
      }
      journal.force();
      return true;
    } catch (IOException | RuntimeException | InternalError e) {
      LOG.error("journal write or fsync failed for a group of {} ops", batch.size(), e);
      ingestFailing = true;
      batch.forEach(op -> op.done().completeExceptionally(e));
      return false;
    }
  }

  /**
   * True when the journaled ops should go to the database now: a read or an overflowing write waits
   * for them, they are many, the segment is filling, or the last move is old enough.
   */
  private boolean moveDue() {
    return ingestFailing
        || !unsaved.isEmpty()
            && (awaitingDatabase > 0
                || overflowUnsaved
                || unsaved.size() >= INGEST_OPS
                || earlyMoveRequested()
                || journal.halfFull()
                || System.nanoTime() - lastMoveNanos >= ingestAgeNanos);
  }

  private synchronized boolean earlyMoveRequested() {
    return moveRequested;
  }

  /**
   * Switches the journal's segment, then commits every op made before the switch to SQLite in one
   * transaction and empties the old segment. On failure the ops stay journaled and are tried again;
   * reads waiting for them, and the writes that overflowed the journal, fail.
   */
  private void move() {
    List<Op> batch = new ArrayList<>();
    switchAndTake(batch);
    settle(batch);
    lastMoveNanos = System.nanoTime();
    try {
      if (!unsaved.isEmpty()) {
        for (Op op : unsaved) {
          op.execute(statements);
        }
        writer.commit();
      }
      journal.resetInactive();
      inactiveDirty = false;
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
      failWaiters(e);
      return;
    }
    int overflowed = 0;
    for (Op op : unsaved) {
      op.done().complete(null); // a no-op for the ops completed when journaled
      overflowed += op instanceof BaseOp b && b.overflow ? 1 : 0;
    }
    unsaved.clear();
    awaitingDatabase = 0;
    overflowUnsaved = false;
    overflowCommitted(overflowed);
  }

  /**
   * Switches segments (unless the inactive one still holds a failed move's records) and takes the
   * queue in the same step: exactly the ops made before the switch.
   */
  private synchronized void switchAndTake(List<Op> batch) {
    if (!inactiveDirty) {
      try {
        journal.switchSegments();
        inactiveDirty = true;
      } catch (IOException e) {
        // the active segment keeps its records (a redo of them sets what they set) and fills up;
        // writes that do not fit go to SQLite directly
        LOG.error("journal segment switch failed; the next move tries again", e);
      }
    }
    drain(batch);
    appendedSinceMove = 0;
    moveRequested = false;
  }

  /**
   * {@link #overflowing} counts the overflows {@link #admit} made (not with {@link Fsync#ALWAYS}).
   */
  private synchronized void overflowCommitted(int n) {
    if (fsync != Fsync.ALWAYS) {
      overflowing -= n;
    }
  }

  /**
   * After a failed move: reads waiting for the database fail, and so do the writes that overflowed
   * the journal and everything made after the first of them (none of it is journaled behind a
   * journaled predecessor, and it will not be retried).
   */
  private void failWaiters(Exception e) {
    int overflowed = 0;
    boolean afterOverflow = false;
    for (Iterator<Op> it = unsaved.iterator(); it.hasNext(); ) {
      Op op = it.next();
      afterOverflow |= op instanceof BaseOp b && b.overflow;
      if (op instanceof InDatabase || afterOverflow) {
        op.done().completeExceptionally(e);
        overflowed += op instanceof BaseOp b && b.overflow ? 1 : 0;
        it.remove();
      }
    }
    awaitingDatabase = 0;
    overflowUnsaved = false;
    overflowCommitted(overflowed);
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

  /** Stops taking ops, commits every op made so far, then closes the connections. */
  @Override
  public void close() throws Exception {
    synchronized (this) {
      running = false;
    }
    LockSupport.unpark(thread); // it moves what is journaled, then stops
    thread.join();
    journal.close();
    statements.close();
    writer.close();
    reader.close();
  }

  /** An op with its own future. */
  abstract static class BaseOp implements Op {
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Did not fit the journal: durable once committed to SQLite. */
    boolean overflow;

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
