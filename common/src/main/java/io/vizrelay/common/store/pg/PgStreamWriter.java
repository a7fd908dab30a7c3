package io.vizrelay.common.store.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of task streams: every {@link StreamWrite} a member's partition threads hand in
 * while the previous commit runs goes into the next transaction, whatever task it belongs to, so a
 * commit's round trip is shared by every task writing at that moment.
 *
 * <p>A write commits only if PostgreSQL's stream of its task is still at {@code epoch:prevSeq}
 * (checked under a row lock in the same transaction): a write that would leave a hole, or that
 * belongs to another life of the stream, is refused and nothing of it is stored; the others of the
 * batch commit. When the transaction fails (PostgreSQL down, connection lost) every write of the
 * batch fails and nothing of them is stored. {@link #health} tells {@code /readiness} why.
 *
 * <p>A connection lost while the {@code COMMIT} itself was under way leaves its outcome unknown:
 * those writes are <em>in doubt</em> and their callers keep waiting until a later connection reads
 * their tasks' heads (committed: they succeed; not: they fail), or until {@code inDoubtMillis}
 * passes (they fail, outcome unknown). So a reply never says "refused" for frames that are stored.
 */
public final class PgStreamWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgStreamWriter.class);
  private static final int MAX_BATCH = 500;

  private final PgDatabase db;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String failure;
  private volatile long failingSince;

  /** Writes whose COMMIT lost its connection (writer thread only), and when they give up. */
  private final List<Pending> inDoubt = new ArrayList<>();

  private final long inDoubtMillis;

  private record Pending(StreamWrite write, CompletableFuture<Void> done, long queuedAt) {}

  /** A write refused because PostgreSQL's stream is not where the write starts. */
  public static final class Conflict extends RuntimeException {
    Conflict(String message) {
      super(message);
    }
  }

  public PgStreamWriter(PgDatabase db) {
    this(db, 30_000);
  }

  /**
   * {@code inDoubtMillis}: how long a write whose COMMIT lost its connection waits for an answer.
   */
  public PgStreamWriter(PgDatabase db, long inDoubtMillis) {
    this.db = db;
    this.inDoubtMillis = inDoubtMillis;
    this.thread = new Thread(this::run, "vizrelay-pg-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues a write; completes once committed, or fails ({@link Conflict}, {@link
   * PgUnavailableException}).
   */
  public CompletableFuture<Void> write(StreamWrite write) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!running) {
      done.completeExceptionally(new PgUnavailableException("the stream writer is closed"));
      return done;
    }
    queue.add(new Pending(write, done, System.currentTimeMillis()));
    return done;
  }

  /** Null when the last commit succeeded, else why it failed and since when (epoch ms). */
  public String health() {
    String f = failure;
    return f == null ? null : f + " (since " + java.time.Instant.ofEpochMilli(failingSince) + ")";
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (running) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          resolveInDoubt();
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.error("stream writer: unexpected failure", e);
        batch.forEach(p -> p.done.completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
    inDoubt.forEach(
        d ->
            d.done.completeExceptionally(
                new PgUnavailableException("the stream writer is closed")));
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done.completeExceptionally(new PgUnavailableException("the stream writer is closed"));
    }
  }

  private void commit(List<Pending> batch) {
    Map<Pending, RuntimeException> refused = new HashMap<>();
    boolean committing = false;
    try (Connection c = db.connection()) {
      resolveInDoubt(c);
      c.setAutoCommit(false);
      try {
        write(c, batch, refused);
        committing = true;
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException e) {
      if (committing) {
        holdInDoubt(batch, refused, e);
        return;
      }
      if (failure == null) {
        failingSince = System.currentTimeMillis();
      }
      PgUnavailableException down =
          e instanceof PgUnavailableException u ? u : new PgUnavailableException("commit", e);
      failure = down.getMessage();
      LOG.warn("stream writer: a batch of {} write(s) failed: {}", batch.size(), down.getMessage());
      batch.forEach(p -> p.done.completeExceptionally(down));
      return;
    }
    if (failure != null) {
      LOG.info("stream writer: PostgreSQL takes writes again");
      failure = null;
    }
    for (Pending p : batch) {
      RuntimeException r = refused.get(p);
      if (r == null) {
        p.done.complete(null);
      } else {
        p.done.completeExceptionally(r);
      }
    }
  }

  /**
   * The COMMIT of {@code batch} lost its connection: its refused writes fail (nothing of them was
   * in the transaction), the others wait until their outcome is read back.
   */
  private void holdInDoubt(
      List<Pending> batch, Map<Pending, RuntimeException> refused, Exception e) {
    failed(new PgUnavailableException("commit", e));
    LOG.warn(
        "stream writer: the COMMIT of {} write(s) lost its connection; outcome read back later: {}",
        batch.size(),
        e.toString());
    for (Pending p : batch) {
      RuntimeException r = refused.get(p);
      if (r != null) {
        p.done.completeExceptionally(r);
      } else {
        inDoubt.add(p);
      }
    }
  }

  private void failed(PgUnavailableException down) {
    if (failure == null) {
      failingSince = System.currentTimeMillis();
    }
    failure = down.getMessage();
  }

  /** Tries to read back the in-doubt writes' outcome on a connection of its own. */
  private void resolveInDoubt() {
    if (inDoubt.isEmpty()) {
      return;
    }
    try (Connection c = db.connection()) {
      resolveInDoubt(c);
    } catch (SQLException | RuntimeException e) {
      expireInDoubt();
    }
  }

  /**
   * Reads the heads of the in-doubt writes' tasks: a write is committed when its stream reached its
   * {@code lastSeq} in its epoch, else it is not (nothing of it is stored: it fails).
   */
  private void resolveInDoubt(Connection c) throws SQLException {
    if (inDoubt.isEmpty()) {
      return;
    }
    Map<String, PgStreams.Head> heads;
    try {
      heads = lockHeads(c, inDoubt);
    } catch (SQLException e) {
      expireInDoubt();
      throw e;
    }
    for (Pending p : inDoubt) {
      PgStreams.Head head = heads.get(p.write.taskId());
      boolean committed =
          head != null
              && head.epoch().equals(p.write.epoch())
              && head.lastSeq() >= p.write.lastSeq();
      if (committed) {
        p.done.complete(null);
      } else {
        p.done.completeExceptionally(
            new PgUnavailableException("the commit did not happen (connection lost)"));
      }
    }
    LOG.info("stream writer: {} in-doubt write(s) resolved", inDoubt.size());
    inDoubt.clear();
  }

  /** In-doubt writes older than {@code inDoubtMillis} fail: their outcome stays unknown. */
  private void expireInDoubt() {
    long now = System.currentTimeMillis();
    inDoubt.removeIf(
        p -> {
          if (now - p.queuedAt < inDoubtMillis) {
            return false;
          }
          p.done.completeExceptionally(
              new PgUnavailableException("the outcome of the commit is unknown (connection lost)"));
          return true;
        });
  }

  private static void write(
      Connection c, List<Pending> batch, Map<Pending, RuntimeException> refused)
      throws SQLException {
    Map<String, PgStreams.Head> heads = lockHeads(c, batch);
    List<Pending> accepted = new ArrayList<>(batch.size());
    Map<String, PgStreams.Head> advanced = new java.util.LinkedHashMap<>();
    for (Pending p : batch) {
      StreamWrite w = p.write;
      PgStreams.Head head = heads.get(w.taskId());
      boolean fits =
          head == null
              ? w.prevSeq() == 0
              : head.epoch().equals(w.epoch()) && head.lastSeq() == w.prevSeq();
      if (!fits) {
        refused.put(
            p,
            new Conflict(
                "stream of "
                    + w.taskId()
                    + " is at "
                    + head
                    + " in PostgreSQL, the write starts at "
                    + w.epoch()
                    + ":"
                    + w.prevSeq()));
        continue;
      }
      heads.put(w.taskId(), new PgStreams.Head(w.epoch(), w.lastSeq()));
      advanced.put(w.taskId(), heads.get(w.taskId()));
      accepted.add(p);
    }
    try (PreparedStatement frames =
            c.prepareStatement(
                "INSERT INTO frames(task_id, epoch, seq, env, at_ms, visdom, compact) VALUES (?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement streams =
            c.prepareStatement(
                "INSERT INTO streams(task_id, epoch, last_seq) VALUES (?, ?, ?)"
                    + " ON CONFLICT (task_id) DO UPDATE SET epoch = EXCLUDED.epoch, last_seq = EXCLUDED.last_seq");
        PreparedStatement snapshots =
            c.prepareStatement(
                "INSERT INTO snapshots(task_id, epoch, seq, state) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (task_id) DO UPDATE SET epoch = EXCLUDED.epoch, seq = EXCLUDED.seq, state = EXCLUDED.state")) {
      int nFrames = 0;
      int nSnapshots = 0;
      for (Pending p : accepted) {
        StreamWrite w = p.write;
        for (StreamWrite.Row f : w.frames()) {
          frames.setString(1, w.taskId());
          frames.setString(2, w.epoch());
          frames.setLong(3, f.seq());
          frames.setString(4, f.env());
          frames.setLong(5, f.atMs());
          frames.setBytes(6, f.visdom());
          frames.setBytes(7, f.compact());
          frames.addBatch();
          nFrames++;
        }
        if (w.snapshot() != null) {
          snapshots.setString(1, w.taskId());
          snapshots.setString(2, w.epoch());
          snapshots.setLong(3, w.lastSeq());
          snapshots.setBytes(4, w.snapshot());
          snapshots.addBatch();
          nSnapshots++;
        }
      }
      for (Map.Entry<String, PgStreams.Head> h : advanced.entrySet()) {
        streams.setString(1, h.getKey());
        streams.setString(2, h.getValue().epoch());
        streams.setLong(3, h.getValue().lastSeq());
        streams.addBatch();
      }
      if (nFrames > 0) {
        frames.executeBatch();
      }
      if (nSnapshots > 0) {
        snapshots.executeBatch();
      }
      if (!advanced.isEmpty()) {
        streams.executeBatch();
      }
    }
  }

  /**
   * The heads of the batch's tasks, locked (or their absence: the insert of a new head conflicts
   * instead).
   */
  private static Map<String, PgStreams.Head> lockHeads(Connection c, List<Pending> batch)
      throws SQLException {
    Map<String, PgStreams.Head> heads = new HashMap<>();
    List<String> ids = new ArrayList<>();
    for (Pending p : batch) {
      ids.add(p.write.taskId());
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT task_id, epoch, last_seq FROM streams WHERE task_id = ANY (?) ORDER BY task_id FOR UPDATE")) {
      s.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          heads.put(r.getString(1), new PgStreams.Head(r.getString(2), r.getLong(3)));
        }
      }
    }
    return heads;
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is gone; the transaction with it
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
