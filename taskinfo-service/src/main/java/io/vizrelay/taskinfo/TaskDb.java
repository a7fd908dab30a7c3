package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.config.VizConfig.Fsync;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The registry's durable copy: {@code <dataDir>/}{@value #FILE}, SQLite in WAL mode, one row of
 * record JSON per task, plus its {@code shared_with} as a JSON array column (added by {@link
 * #migrate} to databases created before sharing existed). All I/O runs on one dedicated thread, in
 * submission order, so writes land in the order the registry made its changes; nothing here ever
 * runs on an event loop.
 */
final class TaskDb {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TaskDb.class);
  static final String FILE = "taskinfo.db";

  private final Vertx vertx;
  private final ExecutorService thread;
  private Connection connection;

  private TaskDb(Vertx vertx) {
    this.vertx = vertx;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "vizrelay-taskinfo-db");
              t.setDaemon(true);
              return t;
            });
  }

  /** Opens (creating if needed) the database under {@code dataDir}. */
  static Future<TaskDb> open(Vertx vertx, Path dataDir, Fsync fsync) {
    TaskDb db = new TaskDb(vertx);
    return db.submit(
        () -> {
          db.connect(dataDir, fsync);
          return db;
        });
  }

  /** Every stored task. */
  Future<List<TaskRecord>> loadAll() {
    return submit(this::selectAll);
  }

  /** Inserts or replaces the records in one transaction. */
  Future<Void> save(Collection<TaskRecord> records) {
    List<TaskRecord> copy = List.copyOf(records);
    return submit(
        () -> {
          upsert(copy);
          return null;
        });
  }

  Future<Void> delete(String taskId) {
    return submit(
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement("DELETE FROM tasks WHERE task_id = ?")) {
            ps.setString(1, taskId);
            ps.executeUpdate();
          }
          connection.commit();
          return null;
        });
  }

  /** Closes the connection after every write submitted before, then stops the thread. */
  Future<Void> close() {
    Future<Void> closed =
        submit(
            () -> {
              if (connection != null) {
                connection.close();
              }
              return null;
            });
    thread.shutdown();
    return closed;
  }

  private void connect(Path dataDir, Fsync fsync) throws Exception {
    Files.createDirectories(dataDir);
    connection =
        DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(FILE).toAbsolutePath());
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=" + (fsync == Fsync.ALWAYS ? "FULL" : "NORMAL"));
      s.execute("PRAGMA busy_timeout=5000");
      s.execute(
          "CREATE TABLE IF NOT EXISTS tasks(task_id TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
              + " record TEXT NOT NULL, shared_with TEXT NOT NULL DEFAULT '[]')");
      migrate(s);
    }
    connection.setAutoCommit(false);
  }

  /** Brings a database of an older version up to date (idempotent; runs at every open). */
  private static void migrate(Statement s) throws SQLException {
    if (!columns(s, "tasks").contains("shared_with")) {
      s.execute("ALTER TABLE tasks ADD COLUMN shared_with TEXT NOT NULL DEFAULT '[]'");
      LOG.info("taskinfo database migrated: added column tasks.shared_with");
    }
  }

  static List<String> columns(Statement s, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        names.add(rs.getString("name"));
      }
    }
    return names;
  }

  private List<TaskRecord> selectAll() throws SQLException {
    List<TaskRecord> records = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT record, shared_with FROM tasks")) {
      while (rs.next()) {
        TaskRecord r = Bodies.decodeTrusted(rs.getBytes(1), TaskRecord.class);
        records.add(withSharedWith(r, Bodies.decodeTrusted(rs.getBytes(2), String[].class)));
      }
    }
    connection.commit();
    return records;
  }

  /** The record with the {@code shared_with} column's users (the column is the source of truth). */
  private static TaskRecord withSharedWith(TaskRecord r, String[] users) {
    List<String> shared = List.of(users);
    if (shared.equals(r.sharedWith())) {
      return r;
    }
    return new TaskRecord(
        r.taskId(),
        r.userId(),
        r.projectId(),
        r.kind(),
        r.pid(),
        r.host(),
        r.status(),
        r.createdAt(),
        r.startedAt(),
        r.lastSeenAt(),
        r.finishedAt(),
        r.exitCode(),
        r.stopRequested(),
        r.autoRegistered(),
        r.meta(),
        r.lastSeq(),
        r.windows(),
        shared,
        r.stoppable());
  }

  private void upsert(List<TaskRecord> records) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO tasks(task_id, user_id, record, shared_with)"
                + " VALUES(?, ?, ?, ?) ON CONFLICT(task_id) DO UPDATE SET user_id = excluded.user_id, record = excluded.record,"
                + " shared_with = excluded.shared_with")) {
      for (TaskRecord r : records) {
        ps.setString(1, r.taskId());
        ps.setString(2, r.userId());
        ps.setString(3, Json.string(r));
        ps.setString(4, Json.string(r.sharedWith()));
        ps.addBatch();
      }
      ps.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  /** One unit of database work. */
  private interface Work<T> {
    T run() throws Exception;
  }

  private static <T> void run(Work<T> work, CompletableFuture<T> result) {
    try {
      result.complete(work.run());
    } catch (Throwable t) {
      result.completeExceptionally(t);
    }
  }

  /** Runs {@code work} on the database thread; the future completes on the caller's context. */
  private <T> Future<T> submit(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      thread.execute(() -> run(work, result));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          new IllegalStateException("the task registry database is closed"));
    }
    return Future.fromCompletionStage(result, vertx.getOrCreateContext());
  }
}
