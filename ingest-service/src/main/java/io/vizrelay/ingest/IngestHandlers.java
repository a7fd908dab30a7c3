package io.vizrelay.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.visdom.Reply;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.List;

/**
 * The visdom client's HTTP API (PROTOCOL §2) in the three task-addressing modes of DESIGN §6:
 * {@code /task/<id>/<endpoint>}, {@code task_id} in the body, or the configured default task.
 */
public final class IngestHandlers {
  /** The visdom endpoints that carry a JSON body and map to one command. */
  public static final List<String> ENDPOINTS = List.of(
      "events", "update", "win_exists", "win_data", "close", "delete_env", "env_state", "fork_env", "save");
  /** How long {@code POST /env/<eid> {"sid"}} waits for the browser session to answer. */
  public static final long SESSION_TIMEOUT_MS = 5000;

  private final VizConfig config;
  private final TaskStore store;
  private final EventBus bus;
  private final ActivityReporter activity;

  public IngestHandlers(VizConfig config, TaskStore store, EventBus bus, ActivityReporter activity) {
    this.config = config;
    this.store = store;
    this.bus = bus;
    this.activity = activity;
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    for (String endpoint : ENDPOINTS) {
      router.post("/" + endpoint).handler(body).handler(ctx -> ingest(ctx, endpoint));
      router.post("/task/:taskId/" + endpoint).handler(body).handler(ctx -> ingest(ctx, endpoint));
    }
    router.postWithRegex("/env/(?<eid>.+)").handler(body).handler(this::env);
    router.postWithRegex("/task/(?<taskId>[^/]+)/env/(?<eid>.+)").handler(body).handler(this::env);
  }

  private void ingest(RoutingContext ctx, String endpoint) {
    JsonNode body = Json.parse(bodyBytes(ctx));
    String taskId = taskId(ctx, body);
    VisdomCommand command = VisdomRequests.decode(endpoint, body);
    apply(ctx, taskId, command);
  }

  /** {@code POST /env/<eid>}: a client creating its env, or a browser switching env by sid. */
  private void env(RoutingContext ctx) {
    JsonNode body = VisdomRequests.requireObject(Json.parse(bodyBytes(ctx)));
    String eid = VisdomRequests.escape(ctx.pathParam("eid"));
    if (body.hasNonNull("sid")) {
      switchSessionEnv(ctx, body.get("sid").asText(), eid);
      return;
    }
    apply(ctx, taskId(ctx, body), VisdomRequests.createEnv(eid));
  }

  private void switchSessionEnv(RoutingContext ctx, String sid, String eid) {
    bus.request(Addresses.session(sid), eid, new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(SESSION_TIMEOUT_MS))
        .onSuccess(reply -> send(ctx, Reply.EMPTY))
        .onFailure(err -> ctx.fail(new ApiException(ErrorCode.NOT_FOUND, "no browser session with sid " + sid)));
  }

  private void apply(RoutingContext ctx, String taskId, VisdomCommand command) {
    store.apply(taskId, command)
        .onSuccess(applied -> {
          send(ctx, applied.reply());
          activity.seen(taskId, lastSeq(applied), 1);
          publish(applied);
        })
        .onFailure(ctx::fail);
  }

  private void publish(Applied applied) {
    for (Delta delta : applied.deltas()) {
      bus.publish(Addresses.task(delta.taskId()), delta);
    }
  }

  private static long lastSeq(Applied applied) {
    List<Delta> d = applied.deltas();
    return d.isEmpty() ? -1 : d.get(d.size() - 1).seq();
  }

  private String taskId(RoutingContext ctx, JsonNode body) {
    String id = ctx.pathParam("taskId");
    if (id == null && body.hasNonNull("task_id")) {
      id = body.get("task_id").asText();
    }
    if (id == null) {
      return config.defaultTask();
    }
    if (!VizConfig.isValidTaskId(id)) {
      throw new ApiException(ErrorCode.INVALID_TASK_ID,
          "task_id must be 1-128 letters, digits or . _ : @ - (starting with a letter or digit)");
    }
    return id;
  }

  private static byte[] bodyBytes(RoutingContext ctx) {
    return ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
  }

  private static void send(RoutingContext ctx, Reply reply) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, reply.json() ? "application/json" : "text/html; charset=UTF-8")
        .end(reply.body());
  }
}
