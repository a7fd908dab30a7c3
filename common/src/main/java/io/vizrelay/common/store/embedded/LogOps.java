package io.vizrelay.common.store.embedded;

import io.vizrelay.common.store.Delta;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The writes the store makes to its {@link SqliteLog}, on the writer's reused statements ({@link
 * Statements}).
 */
final class LogOps {
  static final String INSERT_TASK =
      "INSERT OR REPLACE INTO tasks(task_id, epoch, created_at) VALUES (?, ?, ?)";
  static final String INSERT_FRAME =
      "INSERT INTO frames(task_id, seq, ts, env, frame) VALUES (?, ?, ?, ?, ?)";
  static final String INSERT_SNAPSHOT =
      "INSERT OR REPLACE INTO snapshots(task_id, seq, state) VALUES (?, ?, ?)";
  static final String TRIM_FRAMES = "DELETE FROM frames WHERE task_id = ? AND seq <= ? AND ts < ?";
  static final List<String> DELETE_TASK =
      List.of(
          "DELETE FROM frames WHERE task_id = ?",
          "DELETE FROM snapshots WHERE task_id = ?",
          "DELETE FROM tasks WHERE task_id = ?");

  private LogOps() {}

  static SqliteLog.Op createTask(String taskId, String epoch, long now) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Statements writer) throws SQLException {
        PreparedStatement ps = writer.get(INSERT_TASK);
        ps.setString(1, taskId);
        ps.setString(2, epoch);
        ps.setLong(3, now);
        ps.executeUpdate();
      }
    };
  }

  static SqliteLog.Op appendFrames(String taskId, List<Delta> deltas, long now) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Statements writer) throws SQLException {
        PreparedStatement ps = writer.get(INSERT_FRAME);
        if (deltas.size() == 1) { // the common case: no batch to build
          bind(ps, deltas.get(0));
          ps.executeUpdate();
          return;
        }
        for (Delta d : deltas) {
          bind(ps, d);
          ps.addBatch();
        }
        ps.executeBatch();
      }

      private void bind(PreparedStatement ps, Delta d) throws SQLException {
        ps.setString(1, taskId);
        ps.setLong(2, d.seq());
        ps.setLong(3, now);
        ps.setString(4, d.env());
        ps.setBytes(5, d.stored().getBytes());
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
      public void execute(Statements writer) throws SQLException {
        PreparedStatement insert = writer.get(INSERT_SNAPSHOT);
        insert.setString(1, taskId);
        insert.setLong(2, seq);
        insert.setBytes(3, state);
        insert.executeUpdate();
        PreparedStatement trim = writer.get(TRIM_FRAMES);
        trim.setString(1, taskId);
        trim.setLong(2, trimUpToSeq);
        trim.setLong(3, trimBeforeTs);
        trim.executeUpdate();
      }
    };
  }

  static SqliteLog.Op deleteTask(String taskId) {
    return new SqliteLog.BaseOp() {
      @Override
      public void execute(Statements writer) throws SQLException {
        for (String sql : DELETE_TASK) {
          PreparedStatement ps = writer.get(sql);
          ps.setString(1, taskId);
          ps.executeUpdate();
        }
      }
    };
  }
}
