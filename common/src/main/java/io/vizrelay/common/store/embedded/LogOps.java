package io.vizrelay.common.store.embedded;

import io.vizrelay.common.store.Delta;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The writes the store makes to its {@link SqliteLog}, on the writer's reused statements ({@link
 * Statements}), and their {@link Journal} records: a task's creation, its frames and its deletion
 * are journaled (they are the log's content); a snapshot is not (it is derived from the frames, and
 * its trim only drops frames it covers).
 */
final class LogOps {
  static final String INSERT_TASK =
      "INSERT OR REPLACE INTO tasks(task_id, epoch, created_at) VALUES (?, ?, ?)";
  static final String INSERT_FRAME =
      "INSERT OR REPLACE INTO frames(task_id, seq, ts, env, frame) VALUES (?, ?, ?, ?, ?)";
  static final String INSERT_SNAPSHOT =
      "INSERT OR REPLACE INTO snapshots(task_id, seq, state) VALUES (?, ?, ?)";
  static final String TRIM_FRAMES = "DELETE FROM frames WHERE task_id = ? AND seq <= ? AND ts < ?";
  static final List<String> DELETE_TASK =
      List.of(
          "DELETE FROM frames WHERE task_id = ?",
          "DELETE FROM snapshots WHERE task_id = ?",
          "DELETE FROM tasks WHERE task_id = ?");

  private static final byte CREATE = 1;
  private static final byte FRAMES = 2;
  private static final byte DELETE = 3;

  private LogOps() {}

  /** An op the journal keeps. */
  abstract static class JournaledOp extends SqliteLog.BaseOp implements Journal.Record {}

  static SqliteLog.Op createTask(String taskId, String epoch, long now) {
    return new CreateTask(taskId, epoch, now);
  }

  /** The deltas' stored bytes are copied now, on the caller's thread. */
  static SqliteLog.Op appendFrames(String taskId, List<Delta> deltas, long now) {
    int n = deltas.size();
    long[] seqs = new long[n];
    String[] envs = new String[n];
    byte[][] frames = new byte[n][];
    for (int i = 0; i < n; i++) {
      Delta d = deltas.get(i);
      seqs[i] = d.seq();
      envs[i] = d.env();
      frames[i] = d.stored().getBytes();
    }
    return new AppendFrames(taskId, now, seqs, envs, frames);
  }

  static SqliteLog.Op deleteTask(String taskId) {
    return new DeleteTask(taskId);
  }

  /** The op a recovered journal record redoes. */
  static SqliteLog.Op decode(byte[] payload) throws IOException {
    DataInputStream in = Journal.reader(payload);
    byte type = in.readByte();
    return switch (type) {
      case CREATE -> new CreateTask(string(in), string(in), in.readLong());
      case FRAMES -> {
        String taskId = string(in);
        long now = in.readLong();
        int n = in.readInt();
        long[] seqs = new long[n];
        String[] envs = new String[n];
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++) {
          seqs[i] = in.readLong();
          envs[i] = string(in);
          frames[i] = bytes(in);
        }
        yield new AppendFrames(taskId, now, seqs, envs, frames);
      }
      case DELETE -> new DeleteTask(string(in));
      default -> throw new IOException("unknown journal record type " + type);
    };
  }

  private static final class CreateTask extends JournaledOp {
    private final String taskId;
    private final String epoch;
    private final long now;

    CreateTask(String taskId, String epoch, long now) {
      this.taskId = taskId;
      this.epoch = epoch;
      this.now = now;
    }

    @Override
    public void execute(Statements writer) throws SQLException {
      PreparedStatement ps = writer.get(INSERT_TASK);
      ps.setString(1, taskId);
      ps.setString(2, epoch);
      ps.setLong(3, now);
      ps.executeUpdate();
    }

    @Override
    public void encode(DataOutputStream out) throws IOException {
      out.writeByte(CREATE);
      string(out, taskId);
      string(out, epoch);
      out.writeLong(now);
    }
  }

  /**
   * A command's frames. {@code INSERT OR REPLACE}: a replayed record may meet the rows it wrote
   * before the crash (or rows of the task's earlier life that a later delete, also replayed,
   * removes).
   */
  private static final class AppendFrames extends JournaledOp {
    private final String taskId;
    private final long now;
    private final long[] seqs;
    private final String[] envs;
    private final byte[][] frames;

    AppendFrames(String taskId, long now, long[] seqs, String[] envs, byte[][] frames) {
      this.taskId = taskId;
      this.now = now;
      this.seqs = seqs;
      this.envs = envs;
      this.frames = frames;
    }

    @Override
    public void execute(Statements writer) throws SQLException {
      PreparedStatement ps = writer.get(INSERT_FRAME);
      for (int i = 0; i < seqs.length; i++) {
        ps.setString(1, taskId);
        ps.setLong(2, seqs[i]);
        ps.setLong(3, now);
        ps.setString(4, envs[i]);
        ps.setBytes(5, frames[i]);
        ps.executeUpdate();
      }
    }

    @Override
    public void encode(DataOutputStream out) throws IOException {
      out.writeByte(FRAMES);
      string(out, taskId);
      out.writeLong(now);
      out.writeInt(seqs.length);
      for (int i = 0; i < seqs.length; i++) {
        out.writeLong(seqs[i]);
        string(out, envs[i]);
        out.writeInt(frames[i].length);
        out.write(frames[i]);
      }
    }
  }

  private static final class DeleteTask extends JournaledOp {
    private final String taskId;

    DeleteTask(String taskId) {
      this.taskId = taskId;
    }

    @Override
    public void execute(Statements writer) throws SQLException {
      for (String sql : DELETE_TASK) {
        PreparedStatement ps = writer.get(sql);
        ps.setString(1, taskId);
        ps.executeUpdate();
      }
    }

    @Override
    public void encode(DataOutputStream out) throws IOException {
      out.writeByte(DELETE);
      string(out, taskId);
    }
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

  /** A nullable string: its UTF-8 length (-1 for null), then the bytes. */
  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    byte[] b = bytes(in);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
