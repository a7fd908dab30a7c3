package io.vizrelay.socket;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.Since;
import io.vizrelay.common.store.Snapshot;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.socket.SocketRequest.Position;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser socket of one task. Confined to the socket's event loop. It applies the task's deltas
 * exactly once and in seq order: duplicates are dropped, a gap or another epoch triggers a re-sync,
 * and while a snapshot or resume is being prepared the channel's deltas are held.
 *
 * <p>Slow consumer: bytes written but not yet flushed to the network are counted; when the queued
 * delta bytes would pass {@code queueLimit}, further deltas are dropped and, once the queue has
 * drained, the session is re-synced with a snapshot ({@code reason: "overflow"}).
 *
 * <p>Re-syncs the browser asks for ({@code resume}, an env switch) are bounded: at most {@link
 * #CLIENT_RESYNCS_BURST} at once and one per {@link #CLIENT_RESYNC_REFILL_MS} after that (more are
 * ignored); one runs at a time, and it starts only when what was written before (a snapshot
 * included) is within {@code queueLimit}: until then it waits, the latest request replacing earlier
 * ones. A client that asks again and again without reading holds at most {@code queueLimit} plus
 * one snapshot.
 */
final class Session implements TaskChannel.Member {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  enum Mode {
    SYNCING,
    LIVE,
    OVERFLOWED,
    CLOSED
  }

  /** Browser-asked re-syncs allowed at once. */
  static final int CLIENT_RESYNCS_BURST = 3;

  /** One more browser-asked re-sync is allowed per this many milliseconds. */
  static final long CLIENT_RESYNC_REFILL_MS = 1000;

  /** A browser-asked re-sync waiting for the current one, or for the send queue to drain. */
  private record Requested(Position since, String reason) {}

  final String sid;
  final String taskId;
  final boolean compact;

  /** The user whose socket this is. */
  final String userId;

  /** A user the task is shared with: watches only; commands that change state are ignored. */
  final boolean readonly;

  private final ServerWebSocket ws;
  private final TaskStore store;
  private final SocketMetrics metrics;
  private final int queueLimit;
  private final ArrayDeque<Delta> held = new ArrayDeque<>();
  private String env;
  private String epoch;
  private long lastSeq = -1;
  private Mode mode = Mode.SYNCING;
  private int generation;
  private long queuedDeltaBytes;
  private long queuedBytes;
  private long heldBytes;
  private TaskChannel<Session> channel;
  private Requested requested;
  private double resyncTokens = CLIENT_RESYNCS_BURST;
  private long resyncTokensAt = System.nanoTime();

  Session(
      String sid,
      SocketRequest request,
      String userId,
      boolean readonly,
      ServerWebSocket ws,
      TaskStore store,
      SocketMetrics metrics,
      int queueLimit) {
    this.sid = sid;
    this.userId = userId;
    this.readonly = readonly;
    this.taskId = request.taskId();
    this.env = request.env();
    this.compact = request.compact();
    this.ws = ws;
    this.store = store;
    this.metrics = metrics;
    this.queueLimit = queueLimit;
  }

  String env() {
    return env;
  }

  /** Delta bytes written to this browser and not yet taken by the network. */
  long queuedDeltaBytes() {
    return queuedDeltaBytes;
  }

  Mode mode() {
    return mode;
  }

  /** The node's channel of this session's task (set once, right after the session joined it). */
  void attach(TaskChannel<Session> taskChannel) {
    this.channel = taskChannel;
  }

  /** A delta from the task's channel, in the channel's order. */
  @Override
  public void deliver(Delta delta) {
    switch (mode) {
      case SYNCING -> hold(delta);
      case LIVE -> send(delta);
      case OVERFLOWED -> metrics.dropped();
      case CLOSED -> {}
    }
  }

  private void hold(Delta delta) {
    held.add(delta);
    heldBytes += delta.frameFor(compact).length();
    if (heldBytes > queueLimit) {
      held.clear();
      heldBytes = 0;
      mode = Mode.OVERFLOWED;
      metrics.dropped();
      generation++;
      resyncWhenDrained();
    }
  }

  private void send(Delta delta) {
    if (delta.seq() <= lastSeq && delta.epoch().equals(epoch)) {
      return;
    }
    if (!delta.epoch().equals(epoch)) {
      resync(null, "epoch");
      return;
    }
    if (delta.seq() != lastSeq + 1) {
      metrics.gapRepaired();
      resync(new Position(epoch, lastSeq), "gap");
      return;
    }
    lastSeq = delta.seq();
    if (!delta.visibleIn(env)) {
      return;
    }
    Buffer frame = delta.frameFor(compact);
    if (queuedDeltaBytes + frame.length() > queueLimit) {
      overflow();
      return;
    }
    write(frame, true);
    metrics.delivered();
  }

  private void overflow() {
    mode = Mode.OVERFLOWED;
    generation++;
    metrics.dropped();
    LOG.info("session overflow: task_id={} sid={} queuedBytes={}", taskId, sid, queuedBytes);
    resyncWhenDrained();
  }

  private void resyncWhenDrained() {
    if (queuedBytes == 0 && mode == Mode.OVERFLOWED) {
      requested = null; // the snapshot below covers a waiting resume too
      resync(null, "overflow");
    } else if (requested != null) {
      startRequested();
    }
  }

  /** Starts (or restarts) the session: from {@code since} when given, else from a snapshot. */
  @Override
  public void resync(Position since, String reason) {
    if (mode == Mode.CLOSED) {
      return;
    }
    mode = Mode.SYNCING;
    metrics.resync(reason);
    held.clear();
    heldBytes = 0;
    int gen = ++generation;
    if (since == null) {
      snapshot(gen, null, reason);
      return;
    }
    store
        .since(taskId, since.epoch(), since.seq())
        .onSuccess(result -> resumed(gen, since, result, reason))
        .onFailure(err -> failed(gen, err));
  }

  /** visdom's flow: switch to another env and replay it (a browser-asked re-sync). */
  void switchEnv(String newEnv) {
    this.env = newEnv;
    requestResync(null, "env");
  }

  /**
   * A re-sync the browser asked for ({@code resume}, env switch): dropped beyond the rate, else run
   * now, or once the running one is done and the send queue is within its bound. True when taken.
   */
  boolean requestResync(Position since, String reason) {
    if (mode == Mode.CLOSED || !takeResyncToken()) {
      metrics.resyncHeld();
      return false;
    }
    requested = new Requested(since, reason);
    startRequested();
    if (requested != null) {
      metrics.resyncHeld(); // waits for the running one or for the queue to drain
    }
    return true;
  }

  private boolean takeResyncToken() {
    long now = System.nanoTime();
    resyncTokens =
        Math.min(
            CLIENT_RESYNCS_BURST,
            resyncTokens + (now - resyncTokensAt) / (CLIENT_RESYNC_REFILL_MS * 1_000_000.0));
    resyncTokensAt = now;
    if (resyncTokens < 1) {
      return false;
    }
    resyncTokens -= 1;
    return true;
  }

  /**
   * Starts the requested re-sync when none runs and the queue (snapshots included) is within bound.
   */
  private void startRequested() {
    if (requested == null
        || mode == Mode.SYNCING
        || mode == Mode.CLOSED
        || queuedBytes > queueLimit) {
      return;
    }
    Requested r = requested;
    requested = null;
    resync(r.since(), r.reason());
  }

  /** All bytes written to this browser and not yet taken by the network (snapshots included). */
  long queuedBytes() {
    return queuedBytes;
  }

  /** visdom's plain {@code /socket}: live frames from now on, no replay until an env is chosen. */
  void startWithoutReplay() {
    mode = Mode.SYNCING;
    int gen = ++generation;
    store
        .stats(taskId)
        .onSuccess(
            stats -> {
              if (gen != generation) {
                return;
              }
              if (stats == null) {
                startNewTaskWithoutReplay(gen);
                return;
              }
              write(Frames.envUpdate(stats.envs()), false);
              epoch = stats.epoch();
              lastSeq = stats.lastSeq();
              goLive();
            })
        .onFailure(err -> failed(gen, err));
  }

  /** A task nobody wrote to yet: learn its epoch from an (empty) snapshot, but send no replay. */
  private void startNewTaskWithoutReplay(int gen) {
    store
        .snapshot(taskId, env)
        .onSuccess(
            snap -> {
              if (gen != generation) {
                return;
              }
              write(Frames.envUpdate(snap.envs()), false);
              epoch = snap.epoch();
              lastSeq = snap.seq();
              goLive();
            })
        .onFailure(err -> failed(gen, err));
  }

  private void resumed(int gen, Position since, Since result, String reason) {
    if (gen != generation) {
      return;
    }
    if (result.gone()) {
      metrics.resumeMissed();
      snapshot(gen, false, reason);
      return;
    }
    metrics.resumed();
    epoch = since.epoch();
    lastSeq = since.seq();
    write(Frames.sync(taskId, env, epoch, lastSeq, "resume", true, reason), false);
    for (Delta d : result.deltas()) {
      send(d);
    }
    if (gen == generation) {
      goLive();
    }
  }

  private void snapshot(int gen, Boolean recovered, String reason) {
    store
        .snapshot(taskId, env)
        .onSuccess(
            snap -> {
              if (gen != generation) {
                return;
              }
              sendSnapshot(snap, recovered, reason);
              goLive();
            })
        .onFailure(err -> failed(gen, err));
  }

  private void sendSnapshot(Snapshot snap, Boolean recovered, String reason) {
    metrics.snapshot();
    epoch = snap.epoch();
    lastSeq = snap.seq();
    write(Frames.envUpdate(snap.envs()), false);
    write(Frames.snapshotSync(taskId, env, snap, recovered, reason), false);
    for (Buffer frame : snap.frames()) {
      write(frame, false);
    }
  }

  private void goLive() {
    mode = Mode.LIVE;
    while (!held.isEmpty() && mode == Mode.LIVE) {
      send(held.poll());
    }
    held.clear();
    heldBytes = 0;
    if (mode == Mode.LIVE && channel != null) {
      channel.positioned(epoch, lastSeq);
    }
    startRequested();
  }

  private void failed(int gen, Throwable err) {
    if (gen != generation) {
      return;
    }
    LOG.warn("session sync failed: task_id={} sid={}", taskId, sid, err);
    close((short) 1011, "sync failed; reconnect with since=" + epoch + ":" + lastSeq);
  }

  /** Writes a frame, counting its bytes until the network took them. */
  void write(Buffer frame, boolean isDelta) {
    if (mode == Mode.CLOSED) {
      return;
    }
    int len = frame.length();
    queuedBytes += len;
    if (isDelta) {
      queuedDeltaBytes += len;
    }
    Future<Void> written;
    try {
      written = ws.writeFrame(Frames.text(frame));
    } catch (IllegalStateException closing) {
      closed();
      return;
    }
    written.onComplete(
        ar -> {
          queuedBytes -= len;
          if (isDelta) {
            queuedDeltaBytes -= len;
          }
          resyncWhenDrained();
        });
  }

  void close(short code, String reason) {
    if (mode == Mode.CLOSED) {
      return;
    }
    mode = Mode.CLOSED;
    ws.close(code, reason);
  }

  void closed() {
    mode = Mode.CLOSED;
    held.clear();
  }

  /** The resume hint a client should use: {@code <epoch>:<seq>} of the last frame it was sent. */
  String position() {
    return epoch + ":" + lastSeq;
  }
}
