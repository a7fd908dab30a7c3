package io.vizrelay.socket;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ServerWebSocket;
import io.vizrelay.common.auth.Authorizer;
import io.vizrelay.common.auth.BusPrincipal;
import io.vizrelay.common.auth.ConnectionCounts;
import io.vizrelay.common.auth.Principal;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.http.WebSocketKeepAlive;
import io.vizrelay.common.store.TaskStore;
import java.util.HashMap;
import java.util.Map;

/**
 * One event loop's browser sessions and task channels (one channel per task with sessions on this
 * loop, created with the first session and closed with the last; the store keeps a task with a
 * channel in memory: {@link TaskStore#watch}, counted per channel). Confined to its event loop: the
 * socket service has one hub per loop ({@link io.vizrelay.common.http.PerLoop}), and a task watched
 * from several loops has a channel on each, so its frame bytes are shared by all sessions of a
 * loop. The hubs of a process share one id and one consumer of session commands ({@link
 * Addresses#sessions}, visdom's env switch), which finds the session's hub in the shared {@code
 * index}.
 */
final class SessionHub {
  /** Close code sent to browsers when the node shuts down; the reason is a resume hint. */
  static final short GOING_AWAY = 1001;

  /**
   * Close code sent to a read-only watcher when the owner stops sharing the task (policy
   * violation).
   */
  static final short UNSHARED = 1008;

  private final Vertx vertx;
  private final VizConfig config;
  private final TaskStore store;
  private final SocketMetrics metrics;
  private final BrowserCommands commands;
  private final Map<String, TaskChannel<Session>> channels = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();

  /** The process's hub id: the prefix of its session ids. */
  private final String hubId;

  /** The hub of each open session of the process, for session commands (thread-safe). */
  private final Map<String, SessionHub> index;

  /** The event loop this hub is confined to. */
  private final Context context;

  SessionHub(
      Vertx vertx,
      VizConfig config,
      TaskStore store,
      SocketMetrics metrics,
      BrowserCommands commands,
      String hubId,
      Map<String, SessionHub> index,
      Context context) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.commands = commands;
    this.hubId = hubId;
    this.index = index;
    this.context = context;
  }

  /** The event loop this hub is confined to. */
  Context context() {
    return context;
  }

  /**
   * Visdom's env switch for one of this hub's sessions: 404 when it is gone, 403 when not the
   * sender's.
   */
  void sessionCommand(Message<String> msg) {
    Session session = sessions.get(msg.headers().get(Addresses.SID));
    if (session == null) {
      msg.fail(404, "no such session");
    } else if (!mayControl(msg.headers(), session)) {
      msg.fail(403, "not your session");
    } else {
      session.switchEnv(msg.body());
      msg.reply("ok");
    }
  }

  /**
   * Opens a session for an authorized socket; {@code readonly} for a user the task is shared with
   * (not its owner or an admin).
   */
  void open(
      SocketRequest request,
      ServerWebSocket ws,
      Principal principal,
      boolean readonly,
      ConnectionCounts.Lease lease) {
    String sid = Addresses.newSessionId(hubId);
    Session session =
        new Session(
            sid,
            request,
            principal.userId(),
            readonly,
            ws,
            store,
            metrics,
            config.sessionQueueBytes());
    sessions.put(sid, session);
    index.put(sid, this);
    metrics.sessionOpened();
    TaskChannel<Session> channel =
        channels.computeIfAbsent(
            request.taskId(),
            id -> {
              metrics.channelOpened();
              store.watch(id);
              return new TaskChannel<>(vertx, id, store, metrics);
            });
    channel.add(session);
    session.attach(channel);
    long keepAlive = WebSocketKeepAlive.start(vertx, config, ws);
    ws.closeHandler(
        v -> { // every close path: close frame, TCP drop, server close
          lease.release();
          vertx.cancelTimer(keepAlive);
          close(session);
        });
    ws.textMessageHandler(text -> commands.handle(session, text));
    session.write(Frames.register(sid, readonly), false);
    session.write(Frames.layoutUpdate(), false);
    if (request.since() != null || request.autoReplay()) {
      session.resync(request.since(), request.since() != null ? "resume" : "connect");
    } else {
      session.startWithoutReplay();
    }
  }

  /**
   * Who may switch a session's env (visdom's {@code POST /env/<eid> {sid}}): the owner of its task
   * or an admin, and the user whose read-only session it is (switching env changes only the view).
   */
  private static boolean mayControl(io.vertx.core.MultiMap headers, Session session) {
    Principal p = BusPrincipal.from(headers);
    return p != null
        && (Authorizer.canWatch(p, session.taskId)
            || session.readonly && !p.scoped() && p.userId().equals(session.userId));
  }

  /**
   * The task's {@code shared_with} changed: read-only sessions of users no longer listed are closed
   * with {@link #UNSHARED} (their next socket is refused).
   */
  void sharingChanged(String taskId, java.util.Collection<String> sharedWith) {
    TaskChannel<Session> channel = channels.get(taskId);
    if (channel == null) {
      return;
    }
    for (Session s : channel.sessions().toArray(new Session[0])) {
      if (s.readonly && !sharedWith.contains(s.userId)) {
        s.close(UNSHARED, "the task is no longer shared with you");
      }
    }
  }

  private void close(Session session) {
    session.closed();
    if (sessions.remove(session.sid) != null) {
      index.remove(session.sid);
      metrics.sessionClosed();
    }
    TaskChannel<Session> channel = channels.get(session.taskId);
    if (channel != null && channel.remove(session)) {
      channels.remove(session.taskId);
      store.unwatch(session.taskId);
      channel.close();
      metrics.channelClosed();
    }
  }

  /**
   * Sends a task status change ({@code task_status} frame) to that task's browsers on this node.
   */
  void taskStatus(String taskId, io.vertx.core.buffer.Buffer frame) {
    TaskChannel<Session> channel = channels.get(taskId);
    if (channel != null) {
      channel.sessions().forEach(s -> s.write(frame, false));
    }
  }

  /** Closes every browser with {@link #GOING_AWAY} and its resume position as the reason. */
  void closeAll() {
    for (Session s : sessions.values().toArray(new Session[0])) {
      s.close(GOING_AWAY, "since=" + s.position());
    }
  }

  /** This loop's sessions and channels, and its largest send queues. */
  Load load() {
    long maxQueued = 0;
    long maxAll = 0;
    for (Session s : sessions.values()) {
      maxQueued = Math.max(maxQueued, s.queuedDeltaBytes());
      maxAll = Math.max(maxAll, s.queuedBytes());
    }
    return new Load(sessions.size(), channels.size(), maxQueued, maxAll);
  }

  /** One loop's share of {@code /api/relay/stats}; {@link #sum} adds the loops up. */
  record Load(int sessions, int channels, long maxQueuedDeltaBytes, long maxQueuedBytes) {
    static final Load NONE = new Load(0, 0, 0, 0);

    /** Sessions and channels summed over the loops, the largest queues of any. */
    static Load sum(java.util.List<Load> loads) {
      Load total = NONE;
      for (Load l : loads) {
        total =
            new Load(
                total.sessions + l.sessions,
                total.channels + l.channels,
                Math.max(total.maxQueuedDeltaBytes, l.maxQueuedDeltaBytes),
                Math.max(total.maxQueuedBytes, l.maxQueuedBytes));
      }
      return total;
    }
  }
}
