package io.vizrelay.common.store.embedded;

import io.vizrelay.common.store.Delta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** The writes the store makes to its {@link SqliteLog}. */
final class LogOps {
  private LogOps() {}

  static SqliteLog.Op createTask(String taskId, String epoch, long now) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Connection c) throws SQLException {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT OR REPLACE INTO tasks(task_id, epoch, created_at) VALUES (?, ?, ?)")) {
          ps.setString(1, taskId);
          ps.setString(2, epoch);
          ps.setLong(3, now);
          ps.executeUpdate();
        }
      }
    };
  }

  static SqliteLog.Op appendFrames(String taskId, List<Delta> deltas, long now) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Connection c) throws SQLException {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO frames(task_id, seq, ts, env, frame) VALUES (?, ?, ?, ?, ?)")) {
          for (Delta d : deltas) {
            ps.setString(1, taskId);
            ps.setLong(2, d.seq());
            ps.setLong(3, now);
            ps.setString(4, d.env());
            ps.setBytes(5, d.stored().getBytes());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
    };
  }

  /**
   * Stores a snapshot and trims frames that are both older than the retention and covered by it.
   */
  static SqliteLog.Op snapshot(
      String taskId, long seq, byte[] state, long trimUpToSeq, long trimBeforeTs) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Connection c) throws SQLException {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT OR REPLACE INTO snapshots(task_id, seq, state) VALUES (?, ?, ?)")) {
          ps.setString(1, taskId);
          ps.setLong(2, seq);
          ps.setBytes(3, state);
          ps.executeUpdate();
        }
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM frames WHERE task_id = ? AND seq <= ? AND ts < ?")) {
          ps.setString(1, taskId);
          ps.setLong(2, trimUpToSeq);
          ps.setLong(3, trimBeforeTs);
          ps.executeUpdate();
        }
      }
    };
  }

  static SqliteLog.Op deleteTask(String taskId) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Connection c) throws SQLException {
        for (String table : List.of("frames", "snapshots", "tasks")) {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM " + table + " WHERE task_id = ?")) {
            ps.setString(1, taskId);
            ps.executeUpdate();
          }
        }
      }
    };
  }
}
