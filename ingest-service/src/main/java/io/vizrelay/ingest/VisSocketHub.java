package io.vizrelay.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.ConnectionCounts;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.http.PerLoop;
import io.vizrelay.common.http.WebSocketKeepAlive;

/**
 * The Python client's {@code /vis_socket} (docs/PROTOCOL.md): greets with {@code alive} at once,
 * then relays the task's browser events ({@code close}, {@code forward_to_vis}) to the task's
 * clients. The sockets of each event loop are kept apart ({@link VisSockets}, one per loop): one
 * bus consumer per task per loop, each socket touched only on its own loop.
 */
public final class VisSocketHub {
  static final String ALIVE = "{\"command\":\"alive\",\"data\":\"vis_alive\"}";

  private final Vertx vertx;
  private final VizConfig config;
  private final AuthGate gate;
  private final PerLoop<VisSockets> loops;

  public VisSocketHub(Vertx vertx, VizConfig config, AuthGate gate) {
    this.vertx = vertx;
    this.config = config;
    this.gate = gate;
    this.loops = new PerLoop<>(loop -> new VisSockets(vertx));
  }

  public void mount(Router router) {
    router
        .get("/vis_socket")
        .handler(gate.webSocketOrigin())
        .handler(gate.authenticate())
        .handler(this::upgrade);
    router
        .get("/task/:taskId/vis_socket")
        .handler(gate.webSocketOrigin())
        .handler(gate.authenticate())
        .handler(this::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    String taskId = ctx.pathParam("taskId");
    if (taskId == null) {
      taskId = ctx.queryParams().get("task_id");
    }
    if (taskId == null) {
      taskId = config.defaultTask();
    }
    if (!VizConfig.isValidTaskId(taskId)) {
      throw new ApiException(ErrorCode.INVALID_TASK_ID, "task_id is malformed");
    }
    AuthGate.requireWrite(ctx, taskId);
    String task = taskId;
    ctx.request().pause(); // the handshake waits for the count (toWebSocket() resumes it)
    gate.jobSockets()
        .acquire(AuthGate.principal(ctx))
        .onSuccess(lease -> handshake(ctx, task, lease))
        .onFailure(
            refused -> {
              ctx.request().resume();
              ctx.fail(refused); // 429 at the limit
            });
  }

  /** The handshake, once the user's socket is counted; a failed upgrade gives the count back. */
  private void handshake(RoutingContext ctx, String taskId, ConnectionCounts.Lease lease) {
    Future<ServerWebSocket> upgraded;
    try {
      upgraded = ctx.request().toWebSocket();
    } catch (RuntimeException closed) { // the connection went while the count was claimed
      upgraded = Future.failedFuture(closed);
    }
    upgraded
        .onSuccess(ws -> open(taskId, ws, lease))
        .onFailure(
            err -> {
              lease.release();
              ctx.fail(err);
            });
  }

  /** The per-user count is released on every close path: close frame, TCP drop, server close. */
  private void open(String taskId, ServerWebSocket ws, ConnectionCounts.Lease lease) {
    ws.writeTextMessage(ALIVE);
    VisSockets local = loops.current();
    local.add(taskId, ws);
    long keepAlive = WebSocketKeepAlive.start(vertx, config, ws);
    ws.closeHandler(
        v -> {
          lease.release();
          vertx.cancelTimer(keepAlive);
          local.remove(taskId, ws);
        });
    // the node drains (HttpServer.shutdown): tell the client to go elsewhere now rather than at the
    // deadline
    ws.shutdownHandler(v -> ws.close((short) 1001, "server shutting down"));
    ws.textMessageHandler(
        text -> {
          /* echo/commands from Python clients are not relayed */
        });
  }
}
