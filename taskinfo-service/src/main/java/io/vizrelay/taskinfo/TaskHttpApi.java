package io.vizrelay.taskinfo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vizrelay.common.audit.AuditLog;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.Authorizer;
import io.vizrelay.common.auth.Principal;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import io.vizrelay.common.registry.TaskOwner;
import io.vizrelay.common.store.PointsQuery;
import io.vizrelay.common.store.TaskStore;
import java.util.List;
import java.util.Optional;

/**
 * The registry's HTTP API (docs/openapi-taskinfo.yaml). Handlers decode into records, call the
 * registry and answer JSON; failures go to the router's failure handler as {@link ApiException}.
 */
final class TaskHttpApi {
  /** Largest accepted request body; beyond it BodyHandler answers 413. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  /** {@code ?timeout=} of control long-polls, in seconds: default and maximum. */
  static final int DEFAULT_CONTROL_TIMEOUT_S = 30;

  static final int MAX_CONTROL_TIMEOUT_S = 60;

  private final VizConfig config;
  private final TaskinfoConfig limits;
  private final Registry registry;
  private final TaskStore store;
  private final ControlWaiters waiters;
  private final AuthGate gate;

  TaskHttpApi(
      VizConfig config,
      TaskinfoConfig limits,
      Registry registry,
      TaskStore store,
      ControlWaiters waiters,
      AuthGate gate) {
    this.gate = gate;
    this.config = config;
    this.limits = limits;
    this.registry = registry;
    this.store = store;
    this.waiters = waiters;
  }

  /** Mounts every route on {@code router}; returns them so they can be removed at stop. */
  List<Route> mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    Handler<RoutingContext> auth = gate.authenticate();
    TaskAudit audit = new TaskAudit(gate);
    // authentication first: a body is read only for a known caller
    return List.of(
        router.post("/api/tasks").handler(auth).handler(body).handler(this::register),
        router.get("/api/tasks").handler(auth).handler(this::list),
        router.get("/api/tasks/:id").handler(auth).handler(this::get),
        router
            .delete("/api/tasks/:id")
            .handler(audit.step(AuditLog.Event.DELETE))
            .handler(auth)
            .handler(this::delete),
        router
            .post("/api/tasks/:id/heartbeat")
            .handler(auth)
            .handler(body)
            .handler(this::heartbeat),
        router.post("/api/tasks/:id/finish").handler(auth).handler(body).handler(this::finish),
        router
            .post("/api/tasks/:id/stop")
            .handler(audit.step(AuditLog.Event.STOP))
            .handler(auth)
            .handler(body)
            .handler(this::stop),
        router
            .put("/api/tasks/:id/shared_with")
            .handler(audit.step(AuditLog.Event.SHARE))
            .handler(auth)
            .handler(body)
            .handler(this::share),
        router.get("/api/tasks/:id/control").handler(auth).handler(this::control),
        router.get("/api/tasks/:id/windows/:win/points").handler(auth).handler(this::points));
  }

  private void register(RoutingContext ctx) {
    Principal principal = AuthGate.principal(ctx);
    Registration request =
        RegisterRequest.decode(
            ctx.body().buffer(), TaskOwner.unownedUser(config), limits.maxMetaBytes());
    String owner = TaskOwner.fromTaskId(request.taskId(), TaskOwner.unownedUser(config)).userId();
    if (config.auth().enabled() && !request.owner().userId().equals(owner)) {
      throw new ApiException(
          ErrorCode.INVALID_FIELD,
          "user_id must be " + owner + ", the owner task id " + request.taskId() + " names");
    }
    AuthGate.require(
        principal.admin()
            || request.owner().userId().equals(principal.userId())
                && Authorizer.canWrite(principal, request.taskId()),
        "you may register only your own tasks");
    registry
        .register(request, now())
        .onSuccess(change -> sendJson(ctx, change.created() ? 201 : 200, change.after()))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Principal principal = AuthGate.principal(ctx);
    String asked = ctx.queryParams().get("user_id");
    AuthGate.require(
        principal.admin() || asked == null || asked.equals(principal.userId()),
        "you may list only your own tasks");
    ListQuery query = ListQuery.parse(ctx.queryParams(), principal.userId()).within(principal);
    AuthGate.require(
        principal.admin() || !principal.scoped() || query.scope() != ListQuery.Scope.SHARED,
        "a scoped credential sees no shared tasks");
    registry.list(query).onSuccess(page -> sendJson(ctx, 200, page)).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    String taskId = taskId(ctx);
    readable(ctx, taskId)
        .map(task -> known(task, taskId))
        .compose(task -> store.residency(taskId).map(residency -> withResidency(task, residency)))
        .onSuccess(task -> sendJson(ctx, 200, task))
        .onFailure(ctx::fail);
  }

  /**
   * The points of one trace in an x range (issue 17), for whoever may watch the task (the same rule
   * as {@link #get} and the socket: the owner by the task id, admins, users it is shared with); 404
   * for a task the store holds no plots of (the registry may not have seen a new task yet), an
   * unknown env or window. The store answers off the event loop.
   */
  private void points(RoutingContext ctx) {
    String taskId = taskId(ctx);
    PointsQuery query = PointsRequest.decode(ctx.pathParam("win"), ctx.queryParams());
    readable(ctx, taskId)
        .compose(task -> store.points(taskId, query))
        .onSuccess(
            answer ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(Buffer.buffer(answer.body())))
        .onFailure(ctx::fail);
  }

  /**
   * The record plus whether its plot state is in memory ({@code hot}) and its size; never loads it.
   */
  static ObjectNode withResidency(TaskRecord task, TaskStore.Residency residency) {
    ObjectNode body = Json.MAPPER.valueToTree(task);
    body.put("hot", residency != null && residency.hot());
    body.put("state_bytes", residency == null ? 0 : residency.stateBytes());
    return body;
  }

  /**
   * Removes the task from the registry, then its plotted data from the store. Data the registry
   * does not know (a task that was never registered) is deleted too: 404 only when neither has the
   * task.
   */
  private void delete(RoutingContext ctx) {
    String taskId = taskId(ctx);
    writable(ctx, taskId)
        .compose(
            task ->
                task.isPresent()
                    ? registry
                        .update(taskId, new RegistryOp.Delete())
                        .compose(change -> store.delete(taskId))
                        .map(true)
                    : store
                        .stats(taskId)
                        .compose(
                            stats ->
                                stats == null
                                    ? Future.succeededFuture(false)
                                    : store.delete(taskId)))
        .onSuccess(
            existed -> {
              if (existed) {
                ctx.response().setStatusCode(204).end();
              } else {
                ctx.fail(RegistryOp.notFound(taskId));
              }
            })
        .onFailure(ctx::fail);
  }

  private void heartbeat(RoutingContext ctx) {
    String taskId = taskId(ctx);
    reply(
        ctx,
        writable(ctx, taskId)
            .compose(task -> registry.update(taskId, new RegistryOp.Heartbeat(now()))));
  }

  private void finish(RoutingContext ctx) {
    String taskId = taskId(ctx);
    reply(
        ctx,
        writable(ctx, taskId)
            .map(task -> known(task, taskId))
            .map(task -> FinishRequest.decode(ctx.body().buffer()))
            .compose(report -> registry.update(taskId, new RegistryOp.Finish(report, now()))));
  }

  /** Owner or admin: replaces the list of users the task is shared with (read-only). */
  private void share(RoutingContext ctx) {
    String taskId = taskId(ctx);
    reply(
        ctx,
        writable(ctx, taskId)
            .map(task -> ShareRequest.decode(ctx.body().buffer(), known(task, taskId).userId()))
            .compose(users -> registry.update(taskId, new RegistryOp.Share(users)))
            .onSuccess(change -> TaskAudit.sharing(ctx, change.before(), change.after())));
  }

  private void stop(RoutingContext ctx) {
    String taskId = taskId(ctx);
    reply(
        ctx, writable(ctx, taskId).compose(task -> registry.update(taskId, new RegistryOp.Stop())));
  }

  /**
   * Long-poll: answers at once when stop is requested or the run is over, else parks. Owner and
   * admins only.
   */
  private void control(RoutingContext ctx) {
    String taskId = taskId(ctx);
    registry
        .get(taskId)
        .map(
            task -> {
              AuthGate.require(
                  Authorizer.canWatch(AuthGate.principal(ctx), taskId, owner(task, taskId)),
                  "you may not poll task " + taskId);
              known(task, taskId);
              return ListQuery.intParam(
                  ctx.queryParams(),
                  "timeout",
                  DEFAULT_CONTROL_TIMEOUT_S,
                  0,
                  MAX_CONTROL_TIMEOUT_S);
            })
        .onSuccess(
            timeout ->
                waiters.park(
                    ctx,
                    taskId,
                    timeout * 1000L,
                    () -> registry.get(taskId).map(t -> t.map(ControlState::of).orElse(null))))
        .onFailure(ctx::fail);
  }

  private void reply(RoutingContext ctx, Future<Change> change) {
    change.onSuccess(c -> sendJson(ctx, 200, c.after())).onFailure(ctx::fail);
  }

  /**
   * The task when the principal may read it (owner, admin, or a user it is shared with); empty when
   * the registry has none. The owner is the task id's ({@link TaskOwner}); a refusal (403) comes
   * before any 404, so other users' task ids cannot be probed.
   */
  private Future<Optional<TaskRecord>> readable(RoutingContext ctx, String taskId) {
    return registry
        .get(taskId)
        .map(
            task -> {
              AuthGate.require(
                  Authorizer.canWatch(
                      AuthGate.principal(ctx),
                      taskId,
                      owner(task, taskId),
                      task.map(TaskRecord::sharedWith).orElse(List.of())),
                  "you may not see task " + taskId);
              return task;
            });
  }

  /** The task (empty when unknown) when the principal may change it: its owner or an admin. */
  private Future<Optional<TaskRecord>> writable(RoutingContext ctx, String taskId) {
    return registry
        .get(taskId)
        .map(
            task -> {
              AuthGate.require(
                  Authorizer.canWrite(AuthGate.principal(ctx), taskId, owner(task, taskId)),
                  "you may not change task " + taskId);
              return task;
            });
  }

  /**
   * The owner for authorization: the one rule of the task id ({@link TaskOwner}), as ingest and
   * sockets use it.
   */
  private static String owner(Optional<TaskRecord> task, String taskId) {
    return Authorizer.ownerOf(taskId);
  }

  private static TaskRecord known(Optional<TaskRecord> task, String taskId) {
    return task.orElseThrow(() -> RegistryOp.notFound(taskId));
  }

  private static String taskId(RoutingContext ctx) {
    String taskId = ctx.pathParam("id");
    if (!VizConfig.isValidTaskId(taskId)) {
      throw new ApiException(
          ErrorCode.INVALID_TASK_ID,
          "task id must be 1-128 letters, digits or . _ : @ - (starting with a letter or digit)");
    }
    return taskId;
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  static void sendJson(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(Json.bytes(body)));
  }
}
