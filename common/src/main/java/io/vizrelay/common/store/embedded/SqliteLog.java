package io.vizrelay.common.store.embedded;

import io.vizrelay.common.config.VizConfig.Fsync;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded write-ahead log: one SQLite file ({@code <dataDir>/vizrelay.db}, WAL mode) with the
 * frames of every task, their snapshots and the task list. One writer thread drains a queue and
 * commits each batch in one transaction (group commit) before completing the batch's futures; with
 * {@link Fsync#ALWAYS} the commit is fsynced. Reads use a second connection.
 */
final class SqliteLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteLog.class);
  private static final int MAX_BATCH = 2000;

  private final Connection writer;
  private final Statements statements;
  private final Connection reader;
  private final Fsync fsync;
  private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
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

  SqliteLog(Path dataDir, Fsync fsync) throws Exception {
    Files.createDirectories(dataDir);
    String url = "jdbc:sqlite:" + dataDir.resolve("vizrelay.db").toAbsolutePath();
    this.fsync = fsync;
    this.writer = DriverManager.getConnection(url);
    configure(writer, fsync);
    createSchema(writer);
    writer.setAutoCommit(false);
    this.statements = new Statements(writer);
    this.reader = DriverManager.getConnection(url);
    this.thread = new Thread(this::runWriter, "vizrelay-log-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private static void configure(Connection c, Fsync fsync) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
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

  /** Queues an op; its future completes once the op's transaction committed. */
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

  /**
   * Completes after everything queued before it is committed (at once with {@link Fsync#NEVER}).
   */
  CompletableFuture<Void> barrier() {
    return submit(new Barrier());
  }

  /**
   * Completes after everything queued before it is in the database, whatever the fsync mode: what a
   * read of the database must wait for to see every write made so far.
   */
  CompletableFuture<Void> written() {
    Barrier b = new Barrier();
    return enqueue(b) ? b.done() : CompletableFuture.completedFuture(null);
  }

  private void runWriter() {
    List<Op> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Op first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void commit(List<Op> batch) {
    try {
      for (Op op : batch) {
        op.execute(statements);
      }
      writer.commit();
      batch.forEach(op -> op.done().complete(null));
    } catch (SQLException | RuntimeException e) {
      LOG.error("log commit failed for a batch of {} ops", batch.size(), e);
      rollback();
      batch.forEach(op -> op.done().completeExceptionally(e));
    }
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
      running = false;
    }
    thread.join();
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

  static final class Barrier extends BaseOp {
    @Override
    public void execute(Statements writer) {}
  }
}
