package io.vizrelay.common.store.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and deletes of task streams in PostgreSQL ({@code streams}, {@code snapshots}, {@code
 * frames}). Blocking: called on Hazelcast's partition and map-store threads.
 */
public final class PgStreams {
  private final PgDatabase db;

  public PgStreams(PgDatabase db) {
    this.db = db;
  }

  /** A stream's committed head. */
  public record Head(String epoch, long lastSeq) {}

  /**
   * A stream as stored: its head, the latest snapshot (or none), every frame after it in order
   * ({@code frames}), and the frames up to the snapshot that a ring of {@code retain} frames keeps
   * ({@code retained}: contiguous, ending at {@code snapshotSeq}; they are already in the snapshot,
   * and serve a browser resuming with {@code since}).
   */
  public record Loaded(
      Head head,
      long snapshotSeq,
      byte[] snapshot,
      List<StreamWrite.Row> retained,
      List<StreamWrite.Row> frames) {}

  /** The committed head of a task's stream, or null when PostgreSQL has none. */
  public Head head(String taskId) {
    try (Connection c = db.connection();
        PreparedStatement s =
            c.prepareStatement("SELECT epoch, last_seq FROM streams WHERE task_id = ?")) {
      s.setString(1, taskId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? new Head(r.getString(1), r.getLong(2)) : null;
      }
    } catch (SQLException e) {
      throw new PgUnavailableException("stream read", e);
    }
  }

  /** The whole stored stream of a task, or null, with no retained frames. */
  public Loaded load(String taskId) {
    return load(taskId, 0);
  }

  /**
   * The whole stored stream of a task, or null, with the last {@code retain} frames (at least the
   * frames after the snapshot); read in one repeatable-read transaction.
   */
  public Loaded load(String taskId, int retain) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        Loaded loaded = load(c, taskId, retain);
        c.commit();
        return loaded;
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new PgUnavailableException("stream load of " + taskId, e);
    }
  }

  private static Loaded load(Connection c, String taskId, int retain) throws SQLException {
    Head head;
    try (PreparedStatement s =
        c.prepareStatement("SELECT epoch, last_seq FROM streams WHERE task_id = ?")) {
      s.setString(1, taskId);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return null;
        }
        head = new Head(r.getString(1), r.getLong(2));
      }
    }
    long snapshotSeq = 0;
    byte[] snapshot = null;
    try (PreparedStatement s =
        c.prepareStatement("SELECT seq, state FROM snapshots WHERE task_id = ? AND epoch = ?")) {
      s.setString(1, taskId);
      s.setString(2, head.epoch());
      try (ResultSet r = s.executeQuery()) {
        if (r.next()) {
          snapshotSeq = r.getLong(1);
          snapshot = r.getBytes(2);
        }
      }
    }
    long from = Math.max(0, Math.min(snapshotSeq, head.lastSeq() - retain));
    List<StreamWrite.Row> rows = frames(c, taskId, head, from);
    List<StreamWrite.Row> retained = retainedPart(rows, snapshotSeq);
    List<StreamWrite.Row> frames = rows.subList(retainedCount(rows, snapshotSeq), rows.size());
    long expect = snapshotSeq + 1;
    for (StreamWrite.Row f : frames) {
      if (f.seq() != expect++) {
        throw new IllegalStateException(
            "stream of " + taskId + " has a hole before seq " + f.seq());
      }
    }
    if (expect - 1 != head.lastSeq()) {
      throw new IllegalStateException(
          "stream of " + taskId + " ends at " + (expect - 1) + ", head says " + head.lastSeq());
    }
    return new Loaded(head, snapshotSeq, snapshot, retained, List.copyOf(frames));
  }

  /** The frames after {@code from} up to the head, in order. */
  private static List<StreamWrite.Row> frames(Connection c, String taskId, Head head, long from)
      throws SQLException {
    List<StreamWrite.Row> frames = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT seq, env, at_ms, visdom, compact FROM frames"
                + " WHERE task_id = ? AND epoch = ? AND seq > ? AND seq <= ? ORDER BY seq")) {
      s.setString(1, taskId);
      s.setString(2, head.epoch());
      s.setLong(3, from);
      s.setLong(4, head.lastSeq());
      s.setFetchSize(1000);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          frames.add(
              new StreamWrite.Row(
                  r.getLong(1), r.getString(2), r.getLong(3), r.getBytes(4), r.getBytes(5)));
        }
      }
    }
    return frames;
  }

  private static int retainedCount(List<StreamWrite.Row> rows, long snapshotSeq) {
    int n = 0;
    while (n < rows.size() && rows.get(n).seq() <= snapshotSeq) {
      n++;
    }
    return n;
  }

  /**
   * The frames up to the snapshot, without a hole and ending at it: the contiguous run that ends at
   * {@code snapshotSeq} (empty when that frame is not stored).
   */
  private static List<StreamWrite.Row> retainedPart(List<StreamWrite.Row> rows, long snapshotSeq) {
    int end = retainedCount(rows, snapshotSeq);
    if (end == 0 || rows.get(end - 1).seq() != snapshotSeq) {
      return List.of();
    }
    int start = end - 1;
    while (start > 0 && rows.get(start - 1).seq() == rows.get(start).seq() - 1) {
      start--;
    }
    return List.copyOf(rows.subList(start, end));
  }

  /** Removes a task's stream (frames, snapshot, head) in one transaction. */
  public void delete(String taskId) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        for (String table : List.of("frames", "snapshots", "streams")) {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM " + table + " WHERE task_id = ?")) {
            s.setString(1, taskId);
            s.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new PgUnavailableException("stream delete of " + taskId, e);
    }
  }
}
