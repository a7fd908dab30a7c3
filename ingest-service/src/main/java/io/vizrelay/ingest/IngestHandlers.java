package io.vizrelay.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.BusPrincipal;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.http.Compression;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.registry.TaskAdmission;
import io.vizrelay.common.store.Applied;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.visdom.Reply;
import io.vizrelay.common.visdom.VisdomCommand;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The visdom client's HTTP API (docs/PROTOCOL.md section 2) in the three task-addressing modes of
 * docs/ARCHITECTURE.md: {@code /task/<id>/<endpoint>}, {@code task_id} in the body, or the
 * configured default task.
 */
public final class IngestHandlers {
  /** The visdom endpoints that carry a JSON body and map to one command. */
  public static final List<String> ENDPOINTS =
      List.of(
          "events",
          "update",
          "win_exists",
          "win_data",
          "close",
          "delete_env",
          "env_state",
          "fork_env",
          "save");

  /** How long {@code POST /env/<eid> {"sid"}} waits for the browser session to answer. */
  public static final long SESSION_TIMEOUT_MS = 5000;

  private final VizConfig config;
  private final TaskStore store;
  private final EventBus bus;
  private final ActivityReporter activity;
  private final AuthGate gate;
  private final TaskAdmission admission;

  /**
   * {@code vizrelay_ingest_events_total{endpoint}}: applied commands, by visdom endpoint ({@code
   * env} for {@code /env/<eid>}).
   */
  private final Map<String, Counter> events = new HashMap<>();

  /**
   * {@code vizrelay_ingest_points_total}: data points sent by {@code /events} and {@code /update}
   * (counted as the per-window limit counts them).
   */
  private final Counter points;

  /**
   * {@code vizrelay_store_apply_seconds}: from handing a command to the store to its durable
   * result.
   */
  private final Timer applyTime;

  public IngestHandlers(
      VizConfig config,
      TaskStore store,
      EventBus bus,
      ActivityReporter activity,
      AuthGate gate,
      TaskAdmission admission,
      Metrics metrics) {
    this.config = config;
    this.store = store;
    this.bus = bus;
    this.activity = activity;
    this.gate = gate;
    this.admission = admission;
    for (String endpoint : ENDPOINTS) {
      events.put(
          endpoint,
          metrics.counter(
              "vizrelay.ingest.events",
              "ingest commands applied (2xx), by endpoint",
              "endpoint",
              endpoint));
    }
    events.put(
        "env",
        metrics.counter(
            "vizrelay.ingest.events",
            "ingest commands applied (2xx), by endpoint",
            "endpoint",
            "env"));
    points =
        metrics.counter(
            "vizrelay.ingest.points", "data points in applied /events and /update bodies");
    applyTime =
        metrics.histogram(
            "vizrelay.store.apply",
            "time from handing a command to the task store to its durable result");
  }

  public void mount(Router router) {
    BodyHandler limit = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    Handler<RoutingContext> body =
        ctx -> {
          ignoreFormEncoding(ctx);
          limit.handle(ctx);
        };
    Handler<RoutingContext> authenticate = gate.authenticate();
    Handler<RoutingContext> rateLimit = gate.rateLimit();
    // authentication and the rate limit come first: a body is read only for a known, admitted
    // caller
    for (String endpoint : ENDPOINTS) {
      router
          .post("/" + endpoint)
          .handler(authenticate)
          .handler(rateLimit)
          .handler(body)
          .handler(ctx -> ingest(ctx, endpoint));
      router
          .post("/task/:taskId/" + endpoint)
          .handler(authenticate)
          .handler(rateLimit)
          .handler(body)
          .handler(ctx -> ingest(ctx, endpoint));
    }
    router
        .postWithRegex("/env/(?<eid>.+)")
        .handler(authenticate)
        .handler(rateLimit)
        .handler(body)
        .handler(this::env);
    router
        .postWithRegex("/task/(?<taskId>[^/]+)/env/(?<eid>.+)")
        .handler(authenticate)
        .handler(rateLimit)
        .handler(body)
        .handler(this::env);
    if (gate.enabled()) {
      BodyHandler login = BodyHandler.create(false).setBodyLimit(AuthGate.LOGIN_BODY_BYTES);
      router.postWithRegex("/(task/[^/]+/?)?").handler(login).handler(gate.visdomLogin());
    }
  }

  /**
   * visdom reads every body as JSON whatever its content type (the Python client sends none; urllib
   * and {@code curl --data} send a form type). Dropping a form type keeps the body handler from
   * decoding JSON as form fields, which fails on large bodies.
   */
  private static void ignoreFormEncoding(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null
        && (type.startsWith("application/x-www-form-urlencoded")
            || type.startsWith("multipart/"))) {
      ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
    }
  }

  private void ingest(RoutingContext ctx, String endpoint) {
    JsonNode body = Json.parse(bodyBytes(ctx));
    String taskId = taskId(ctx, body);
    VisdomCommand command = VisdomRequests.decode(endpoint, body);
    apply(ctx, taskId, command, endpoint);
  }

  /** {@code POST /env/<eid>}: a client creating its env, or a browser switching env by sid. */
  private void env(RoutingContext ctx) {
    JsonNode body = VisdomRequests.requireObject(Json.parse(bodyBytes(ctx)));
    String eid = VisdomRequests.escape(ctx.pathParam("eid"));
    if (body.hasNonNull("sid")) {
      switchSessionEnv(ctx, body.get("sid").asText(), eid);
      return;
    }
    apply(ctx, taskId(ctx, body), VisdomRequests.createEnv(eid), "env");
  }

  private void switchSessionEnv(RoutingContext ctx, String sid, String eid) {
    String hub = Addresses.sessionsOf(sid);
    if (hub == null) {
      throw new ApiException(ErrorCode.NOT_FOUND, "no browser session with sid " + sid);
    }
    DeliveryOptions options =
        BusPrincipal.headers(
                AuthGate.principal(ctx), new DeliveryOptions().setSendTimeout(SESSION_TIMEOUT_MS))
            .addHeader(Addresses.SID, sid);
    bus.request(hub, eid, options)
        .onSuccess(reply -> send(ctx, Reply.EMPTY))
        .onFailure(
            err ->
                ctx.fail(
                    err instanceof ReplyException re && re.failureCode() == 403
                        ? new ApiException(
                            ErrorCode.FORBIDDEN, "browser session " + sid + " is not yours")
                        : new ApiException(
                            ErrorCode.NOT_FOUND, "no browser session with sid " + sid)));
  }

  private void apply(RoutingContext ctx, String taskId, VisdomCommand command, String endpoint) {
    AuthGate.requireWrite(ctx, taskId);
    long started = System.nanoTime();
    admission
        .admit(taskId)
        .compose(admitted -> store.apply(taskId, command))
        .onSuccess(
            applied -> {
              applyTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              events.get(endpoint).increment();
              points.increment(IngestPoints.of(command));
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
      throw new ApiException(
          ErrorCode.INVALID_TASK_ID,
          "task_id must be 1-128 letters, digits or . _ : @ - (starting with a letter or digit)");
    }
    return id;
  }

  private static byte[] bodyBytes(RoutingContext ctx) {
    return ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
  }

  /**
   * visdom's replies: JSON, or a bare string (a window id, which the caller chose). The bare string
   * is {@code text/plain}, never HTML: it may carry markup from the request (nosniff is on every
   * response), and the visdom client reads the text whatever the type.
   */
  private static void send(RoutingContext ctx, Reply reply) {
    Compression.skipIfSmall(ctx.response(), reply.body().length())
        .putHeader(HttpHeaders.CONTENT_TYPE, reply.json() ? JSON_TYPE : TEXT_TYPE)
        .end(reply.body());
  }

  private static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json");
  private static final CharSequence TEXT_TYPE =
      HttpHeaders.createOptimized("text/plain; charset=UTF-8");
}
