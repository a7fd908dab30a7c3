package io.vizrelay.socket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.Authorizer;
import io.vizrelay.common.auth.ConnectionCounts;
import io.vizrelay.common.auth.Principal;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.bus.DeltaCodec;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.http.PerLoop;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.model.TaskGet;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.registry.TaskAdmission;
import io.vizrelay.common.store.TaskStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The socket service: browsers' WebSockets ({@code /socket?task_id=}, visdom's {@code /socket} and
 * {@code /task/<id>/socket}), validated before the upgrade, mounted on the given router.
 */
public final class SocketVerticle extends VerticleBase {
  /**
   * How long a non-owner's socket waits for the registry to say whether the task is shared with
   * them.
   */
  static final long SHARE_LOOKUP_TIMEOUT_MS = 5_000;

  private final VizConfig config;
  private final TaskStore store;
  private final Router router;

  /** The sessions and channels of each event loop; one hub id and session index for all. */
  private PerLoop<SessionHub> hubs;

  private final String hubId = Addresses.newHubId();
  private final Map<String, SessionHub> sessionIndex = new ConcurrentHashMap<>();
  private SocketMetrics metrics;
  private TaskAdmission admission;
  private AuthGate gate;

  /** Server ping interval on browser sockets ({@link SocketPings}); 0 = off. */
  private final long pingIntervalMs;

  public SocketVerticle(VizConfig config, TaskStore store, Router router) {
    this(config, store, router, SocketPings.intervalMs(System.getenv()));
  }

  public SocketVerticle(VizConfig config, TaskStore store, Router router, long pingIntervalMs) {
    this.config = config;
    this.store = store;
    this.router = router;
    this.pingIntervalMs = pingIntervalMs;
  }

  @Override
  public Future<?> start() {
    return AuthGate.forProcess(vertx, config)
        .compose(
            authGate -> {
              start(authGate);
              return vertx
                  .eventBus()
                  .<String>consumer(Addresses.sessions(hubId), this::sessionCommand)
                  .completion();
            });
  }

  /** A command to one session (visdom's env switch): handled by its hub, on its loop. */
  private void sessionCommand(Message<String> msg) {
    SessionHub hub = sessionIndex.get(msg.headers().get(Addresses.SID));
    if (hub == null) {
      msg.fail(404, "no such session");
    } else {
      hub.context().runOnContext(x -> hub.sessionCommand(msg));
    }
  }

  private void start(AuthGate authGate) {
    gate = authGate;
    DeltaCodec.register(vertx);
    metrics = new SocketMetrics(Metrics.of(vertx));
    admission = TaskAdmission.start(vertx);
    BrowserCommands commands =
        new BrowserCommands(store, vertx.eventBus(), admission, Metrics.of(vertx));
    hubs =
        new PerLoop<>(
            loop ->
                new SessionHub(vertx, config, store, metrics, commands, hubId, sessionIndex, loop));
    vertx.eventBus().<Buffer>consumer(Addresses.TASK_STATUS, msg -> forwardStatus(msg.body()));
    vertx.eventBus().<Buffer>consumer(Addresses.TASK_SHARING, msg -> sharingChanged(msg.body()));
    vertx.eventBus().<Buffer>consumer(Addresses.TASK_DELETED, msg -> taskDeleted(msg.body()));
    router
        .get("/socket")
        .handler(gate.webSocketOrigin())
        .handler(gate.authenticate())
        .handler(this::upgrade);
    router
        .get("/task/:taskId/socket")
        .handler(gate.webSocketOrigin())
        .handler(gate.authenticate())
        .handler(this::upgrade);
    router
        .get("/api/relay/stats")
        .handler(gate.authenticate())
        .handler(
            ctx -> {
              AuthGate.require(AuthGate.principal(ctx).admin(), "relay stats are for admins");
              stats().onSuccess(ctx::json).onFailure(ctx::fail);
            });
    gate.mountLogin(router);
    mountPage();
  }

  /** The relay's counters, with sessions and channels summed over the event loops. */
  private Future<SocketMetrics.View> stats() {
    return hubs.collect(SessionHub::load)
        .map(SessionHub.Load::sum)
        .map(
            l ->
                metrics.view(
                    l.sessions(),
                    l.channels(),
                    l.maxQueuedDeltaBytes(),
                    l.maxQueuedBytes(),
                    hubs.size()));
  }

  /**
   * The web page ({@code /}), its static files and Plotly from its WebJar (compressed by the
   * server).
   */
  private void mountPage() {
    router.get("/").handler(ctx -> ctx.reroute("/static/index.html"));
    router
        .get("/static/*")
        .handler(
            PerLoop.handler( // a static handler's file cache is not thread-safe: one per loop
                () ->
                    StaticHandler.create("webroot").setCachingEnabled(true).setMaxAgeSeconds(60)));
    router
        .get("/webjars/*")
        .handler(
            PerLoop.handler(
                () -> StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(86400)));
  }

  private void forwardStatus(Buffer body) {
    ObjectNode change = (ObjectNode) Json.parseTrusted(body.getBytes());
    String taskId = change.path("task_id").asText();
    ObjectNode frame = Json.object().put("command", "task_status");
    frame.setAll(change);
    Buffer bytes = Buffer.buffer(Json.bytes(frame));
    hubs.each(hub -> hub.taskStatus(taskId, bytes));
  }

  private void sharingChanged(Buffer body) {
    TaskRecord task;
    try {
      task = Json.MAPPER.readValue(body.getBytes(), TaskRecord.class);
    } catch (java.io.IOException e) {
      return;
    }
    hubs.each(hub -> hub.sharingChanged(task.taskId(), task.sharedWith()));
  }

  /**
   * A task was deleted: its read-only watchers lose their access (a re-created task starts
   * unshared).
   */
  private void taskDeleted(Buffer body) {
    TaskGet deleted;
    try {
      deleted = Json.MAPPER.readValue(body.getBytes(), TaskGet.class);
    } catch (java.io.IOException e) {
      return;
    }
    hubs.each(hub -> hub.sharingChanged(deleted.taskId(), List.of()));
  }

  /**
   * Validated, authenticated and authorized before the upgrade: a refusal is a 4xx, never
   * open-then-close. The owner and admins watch at once; anyone else only when the registry says
   * the task is shared with them ({@link Addresses#TASK_GET}, bounded by {@link
   * #SHARE_LOOKUP_TIMEOUT_MS}), and then read-only.
   */
  private void upgrade(RoutingContext ctx) {
    SocketRequest request = SocketRequest.from(ctx, config);
    Principal principal = AuthGate.principal(ctx);
    if (Authorizer.canWatch(principal, request.taskId())) {
      accept(ctx, request, principal, false);
      return;
    }
    String refusal = "you may not watch task " + request.taskId();
    AuthGate.require(!principal.scoped(), refusal);
    ctx.request().pause(); // the handshake must not be read before toWebSocket() (which resumes it)
    sharedWith(request.taskId())
        .onComplete(
            ar -> {
              if (ar.succeeded() && Authorizer.isSharedWith(principal, ar.result())) {
                accept(ctx, request, principal, true);
                return;
              }
              ctx.request().resume();
              if (ar.failed()
                  && ar.cause() instanceof ReplyException re
                  && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
                ctx.fail(
                    new ApiException(
                        ErrorCode.UNAVAILABLE, "the task registry did not answer; try again"));
              } else {
                ctx.fail(new ApiException(ErrorCode.FORBIDDEN, refusal));
              }
            });
  }

  /** The registry's {@code shared_with} of the task; fails when it is unknown (404) or silent. */
  private Future<List<String>> sharedWith(String taskId) {
    Buffer body = Buffer.buffer(Json.bytes(new TaskGet(taskId)));
    return vertx
        .eventBus()
        .<Buffer>request(
            Addresses.TASK_GET, body, new DeliveryOptions().setSendTimeout(SHARE_LOOKUP_TIMEOUT_MS))
        .map(
            reply -> {
              try {
                return Json.MAPPER
                    .readValue(reply.body().getBytes(), TaskRecord.class)
                    .sharedWith();
              } catch (java.io.IOException e) {
                throw new IllegalStateException("undecodable task record", e);
              }
            });
  }

  private void accept(
      RoutingContext ctx, SocketRequest request, Principal principal, boolean readonly) {
    if (request.knownOnly()) {
      acceptIfKnown(ctx, request, principal, readonly);
      return;
    }
    open(ctx, request, principal, readonly);
  }

  /**
   * {@code known=1}: an unknown task ({@link TaskPresence}) is refused with 404 before the upgrade.
   */
  private void acceptIfKnown(
      RoutingContext ctx, SocketRequest request, Principal principal, boolean readonly) {
    ctx.request().pause();
    new TaskPresence(vertx, store, SHARE_LOOKUP_TIMEOUT_MS)
        .known(request.taskId())
        .onComplete(
            ar -> {
              if (ar.succeeded() && !ar.result()) {
                ctx.request().resume();
                ctx.fail(
                    new ApiException(
                        ErrorCode.TASK_NOT_FOUND,
                        "no such task "
                            + request.taskId()
                            + ": nothing is stored for it and the registry does not know it"));
                return;
              }
              open(ctx, request, principal, readonly);
            });
  }

  private void open(
      RoutingContext ctx, SocketRequest request, Principal principal, boolean readonly) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      // a plain GET (the page asking why its socket was refused, or HTTP/2): the request was valid,
      // but this endpoint only speaks WebSocket
      ctx.request().resume();
      ctx.fail(
          new ApiException(
              ErrorCode.BAD_REQUEST,
              "this endpoint is a WebSocket: send an HTTP/1.1 handshake (Upgrade: websocket)"));
      return;
    }
    ctx.request().pause(); // the handshake waits for the count (toWebSocket() resumes it)
    gate.browserSockets()
        .acquire(principal)
        .onSuccess(lease -> handshake(ctx, request, principal, readonly, lease))
        .onFailure(
            refused -> {
              ctx.request().resume();
              ctx.fail(refused); // 429 at the limit
            });
  }

  /**
   * The handshake, once the user's socket is counted; the lease is released on every close path.
   */
  private void handshake(
      RoutingContext ctx,
      SocketRequest request,
      Principal principal,
      boolean readonly,
      ConnectionCounts.Lease lease) {
    Future<ServerWebSocket> upgraded;
    try {
      upgraded = ctx.request().toWebSocket();
    } catch (RuntimeException closed) { // the connection went while the count was claimed
      upgraded = Future.failedFuture(closed);
    }
    upgraded
        .onSuccess(
            ws -> {
              hubs.current()
                  .open(
                      request, ws, principal, readonly,
                      lease); // the hub releases it on every close path
              SocketPings.start(vertx, ws, pingIntervalMs);
            })
        .onFailure(
            err -> {
              lease.release();
              ctx.fail(err);
            });
  }

  @Override
  public Future<?> stop() {
    Future<Void> admissionClosed = admission == null ? Future.succeededFuture() : admission.close();
    if (hubs == null) {
      return admissionClosed;
    }
    return Future.all(hubs.each(SessionHub::closeAll), admissionClosed);
  }
}
