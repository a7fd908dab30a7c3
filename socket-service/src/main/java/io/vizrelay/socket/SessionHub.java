package io.vizrelay.socket;

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
 * The node's browser sessions and task channels (one channel per task with local sessions, created
 * with the first session and closed with the last; the store keeps a task with a channel in memory:
 * {@link TaskStore#watch}). Confined to one event loop. Commands to a session by id (visdom's env
 * switch) arrive on this hub's one consumer ({@link Addresses#sessions}).
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

  /** This hub's id: the prefix of its session ids. */
  private final String hubId = Addresses.newHubId();

  SessionHub(
      Vertx vertx,
      VizConfig config,
      TaskStore store,
      SocketMetrics metrics,
      BrowserCommands commands) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.commands = commands;
  }

  /** The address of this hub's session commands ({@link #sessionCommand}). */
  String commandsAddress() {
    return Addresses.sessions(hubId);
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

  SocketMetrics.View stats() {
    long maxQueued = 0;
    long maxAll = 0;
    for (Session s : sessions.values()) {
      maxQueued = Math.max(maxQueued, s.queuedDeltaBytes());
      maxAll = Math.max(maxAll, s.queuedBytes());
    }
    return metrics.view(sessions.size(), channels.size(), maxQueued, maxAll);
  }
}
