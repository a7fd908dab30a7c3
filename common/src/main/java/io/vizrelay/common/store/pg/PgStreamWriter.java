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
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Writes <em>behind</em> ({@link #writeBehind}, {@code VIZRELAY_PG_COMMIT=async}) were already
 * acknowledged from the grid: they never fail. A failed transaction keeps them for the next one;
 * they may overlap what PostgreSQL has (only the frames after its head are inserted) and one that
 * carries a snapshot may start after it. {@link #lagMillis} is the age of the oldest write not yet
 * committed ({@code vizrelay_pg_lag_seconds}).
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

  /** Writes behind kept for the next transaction (writer thread only), in order. */
  private final List<Pending> retry = new ArrayList<>();

  /** Every write not yet committed or failed: its number -> when it was queued (for the lag). */
  private final ConcurrentSkipListMap<Long, Long> uncommitted = new ConcurrentSkipListMap<>();

  private final AtomicLong numbers = new AtomicLong();

  /** Tasks with writes not yet committed or failed, and how many. */
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> pendingByTask =
      new java.util.concurrent.ConcurrentHashMap<>();

  private boolean lastFailed;

  private record Pending(
      long number, StreamWrite write, CompletableFuture<Void> done, long queuedAt, boolean behind) {

    void complete() {
      done.complete(null);
    }

    void fail(RuntimeException e) {
      done.completeExceptionally(e);
    }
  }

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
    return queue(write, false);
  }

  /**
   * Queues an already acknowledged write: it is retried until committed, and completes then (fails
   * only when the writer closes first).
   */
  public CompletableFuture<Void> writeBehind(StreamWrite write) {
    return queue(write, true);
  }

  private CompletableFuture<Void> queue(StreamWrite write, boolean behind) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!running) {
      done.completeExceptionally(new PgUnavailableException("the stream writer is closed"));
      return done;
    }
    long now = System.currentTimeMillis();
    long number = numbers.incrementAndGet();
    uncommitted.put(number, now);
    pendingByTask.merge(write.taskId(), 1, Integer::sum);
    done.whenComplete(
        (ok, e) -> {
          uncommitted.remove(number);
          pendingByTask.computeIfPresent(write.taskId(), (k, n) -> n == 1 ? null : n - 1);
        });
    queue.add(new Pending(number, write, done, now, behind));
    return done;
  }

  /** Whether a write of {@code taskId} is queued or under way. */
  public boolean pending(String taskId) {
    return pendingByTask.containsKey(taskId);
  }

  /** How long the oldest write not yet committed has waited, in ms (0 when none). */
  public long lagMillis() {
    Map.Entry<Long, Long> oldest = uncommitted.firstEntry();
    return oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.getValue());
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
        // after a failed transaction, the writes kept for retry wait a little for company
        Pending first =
            retry.isEmpty() || lastFailed ? queue.poll(200, TimeUnit.MILLISECONDS) : queue.poll();
        if (first == null && retry.isEmpty()) {
          resolveInDoubt();
          continue;
        }
        batch.addAll(retry);
        retry.clear();
        if (first != null) {
          batch.add(first);
        }
        if (batch.size() < MAX_BATCH) {
          queue.drainTo(batch, MAX_BATCH - batch.size());
        }
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
    inDoubt.forEach(d -> d.fail(new PgUnavailableException("the stream writer is closed")));
    retry.forEach(d -> d.fail(new PgUnavailableException("the stream writer is closed")));
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done.completeExceptionally(new PgUnavailableException("the stream writer is closed"));
    }
  }

  private void commit(List<Pending> batch) {
    Map<Pending, RuntimeException> refused = new HashMap<>();
    List<Pending> holes = new ArrayList<>();
    boolean committing = false;
    try (Connection c = db.connection()) {
      resolveInDoubt(c);
      c.setAutoCommit(false);
      try {
        write(c, batch, refused, holes);
        committing = true;
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException e) {
      lastFailed = true;
      if (committing) {
        holdInDoubt(batch, refused, e);
        return;
      }
      PgUnavailableException down =
          e instanceof PgUnavailableException u ? u : new PgUnavailableException("commit", e);
      failed(down);
      LOG.warn("stream writer: a batch of {} write(s) failed: {}", batch.size(), down.getMessage());
      for (Pending p : batch) {
        if (p.behind) {
          retry.add(p); // acknowledged already: kept until PostgreSQL takes it
        } else {
          p.fail(down);
        }
      }
      return;
    }
    lastFailed = false;
    if (failure != null) {
      LOG.info("stream writer: PostgreSQL takes writes again");
      failure = null;
    }
    for (Pending p : batch) {
      RuntimeException r = refused.get(p);
      if (holes.contains(p)) {
        retry.add(p);
      } else if (r == null) {
        p.complete();
      } else {
        p.fail(r);
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
        p.fail(r);
      } else if (p.behind) {
        retry.add(p); // idempotent: written again, only what PostgreSQL lacks
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
      Connection c,
      List<Pending> batch,
      Map<Pending, RuntimeException> refused,
      List<Pending> holes)
      throws SQLException {
    Map<String, PgStreams.Head> heads = lockHeads(c, batch);
    List<Pending> accepted = new ArrayList<>(batch.size());
    Map<Pending, Long> after = new HashMap<>();
    Map<String, PgStreams.Head> advanced = new java.util.LinkedHashMap<>();
    for (Pending p : batch) {
      StreamWrite w = p.write;
      PgStreams.Head head = heads.get(w.taskId());
      if (p.behind) {
        Behind b = behind(head, w);
        if (b == Behind.HOLE) {
          holes.add(p); // an earlier write (another member's queue) may still fill it
          continue;
        }
        if (b == Behind.FITS) {
          long from = head == null ? 0 : head.lastSeq();
          after.put(p, from);
          PgStreams.Head moved = new PgStreams.Head(w.epoch(), Math.max(from, w.lastSeq()));
          heads.put(w.taskId(), moved);
          advanced.put(w.taskId(), moved);
          accepted.add(p);
          continue;
        }
      }
      boolean fits =
          !p.behind
              && (head == null
                  ? w.prevSeq() == 0
                  : head.epoch().equals(w.epoch()) && head.lastSeq() == w.prevSeq());
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
      after.put(p, w.prevSeq());
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
                    + " ON CONFLICT (task_id) DO UPDATE SET epoch = EXCLUDED.epoch, seq = EXCLUDED.seq, state = EXCLUDED.state"
                    + " WHERE snapshots.epoch <> EXCLUDED.epoch OR snapshots.seq <= EXCLUDED.seq")) {
      int nFrames = 0;
      int nSnapshots = 0;
      for (Pending p : accepted) {
        StreamWrite w = p.write;
        long from = after.get(p);
        for (StreamWrite.Row f : w.frames()) {
          if (f.seq() <= from) {
            continue; // a write behind that overlaps what PostgreSQL has
          }
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

  private enum Behind {
    FITS,
    HOLE,
    CONFLICT
  }

  /**
   * Whether a write behind can go on PostgreSQL's stream {@code head}: it overlaps or continues it
   * (or carries a snapshot, which stands for the frames before it); it would leave a hole; or it
   * belongs to another life of the stream.
   */
  private static Behind behind(PgStreams.Head head, StreamWrite w) {
    if (head == null) {
      return w.prevSeq() == 0 || w.snapshot() != null ? Behind.FITS : Behind.HOLE;
    }
    if (!head.epoch().equals(w.epoch())) {
      return Behind.CONFLICT;
    }
    return head.lastSeq() >= w.prevSeq() || w.snapshot() != null ? Behind.FITS : Behind.HOLE;
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
