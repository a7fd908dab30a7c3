package io.vizrelay.taskinfo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskGet;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TaskStatusChange;
import io.vizrelay.common.model.TasksSeen;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.store.TaskStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task registry service (docs/openapi-taskinfo.yaml): the HTTP API mounted on a given router,
 * the event-bus API ({@link Addresses#TASK_GET} request/reply, {@link Addresses#TASK_STATUS},
 * {@link Addresses#TASK_SHARING} and {@link Addresses#TASK_DELETED} notifications), ingest
 * heartbeats from {@link Addresses#TASKS_SEEN} (sent, so one replica takes each batch) and the lost
 * detector. State lives in a {@link Registry}: embedded, {@link TaskRegistry} durable in {@code
 * <dataDir>/taskinfo.db}; clustered ({@link #clustered}), the {@link GridRegistry} every replica
 * shares. Parked control long-polls are released by the notifications, whichever replica made the
 * change.
 */
public final class TaskinfoVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TaskinfoVerticle.class);

  private final VizConfig config;
  private final TaskinfoConfig limits;
  private final TaskStore store;
  private final Router router;
  private final Registry.Opener opener;
  private final List<Route> routes = new ArrayList<>();
  private final List<MessageConsumer<Buffer>> consumers = new ArrayList<>();
  private Registry registry;
  private ControlWaiters waiters;
  private long lostTimer = -1;

  public TaskinfoVerticle(VizConfig config, TaskStore store, Router router) {
    this(config, TaskinfoConfig.fromEnv(), store, router);
  }

  /** The embedded service: its registry is {@code <dataDir>/taskinfo.db}. */
  public TaskinfoVerticle(VizConfig config, TaskinfoConfig limits, TaskStore store, Router router) {
    this(config, limits, store, router, TaskRegistry.opener(config, limits));
  }

  TaskinfoVerticle(
      VizConfig config,
      TaskinfoConfig limits,
      TaskStore store,
      Router router,
      Registry.Opener opener) {
    this.config = config;
    this.limits = limits;
    this.store = store;
    this.router = router;
    this.opener = opener;
  }

  /** The clustered service: its registry lives in the grid, shared by every replica. */
  public static TaskinfoVerticle clustered(ClusterNode.ServiceContext node) {
    return clustered(node, TaskinfoConfig.fromEnv());
  }

  public static TaskinfoVerticle clustered(ClusterNode.ServiceContext node, TaskinfoConfig limits) {
    return new TaskinfoVerticle(
        node.config(),
        limits,
        node.store(),
        node.router(),
        GridRegistry.opener(node.grid(), node.config(), limits));
  }

  @Override
  public Future<?> start() {
    waiters = new ControlWaiters(vertx);
    return opener
        .open(vertx, this::onChange)
        .compose(
            opened -> {
              registry = opened;
              return registerConsumers();
            })
        .compose(v -> AuthGate.forProcess(vertx, config))
        .map(
            gate -> {
              mountRoutes(gate);
              startLostDetector();
              return null;
            });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(lostTimer);
    routes.forEach(Route::remove);
    if (registry != null) {
      waiters.releaseAll(
          id -> registry.get(id).map(task -> task.map(ControlState::of).orElse(null)));
    }
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(ar -> registry == null ? Future.succeededFuture() : registry.close());
  }

  /** Parked control requests of a task (tests). */
  int waitingControls(String taskId) {
    return waiters.waiting(taskId);
  }

  private Future<Void> registerConsumers() {
    consumers.add(vertx.eventBus().consumer(Addresses.TASKS_SEEN, this::onTasksSeen));
    consumers.add(vertx.eventBus().consumer(Addresses.TASK_GET, this::onTaskGet));
    consumers.add(vertx.eventBus().consumer(Addresses.TASK_STATUS, this::onTaskStatus));
    consumers.add(vertx.eventBus().consumer(Addresses.TASK_DELETED, this::onTaskDeleted));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  private void mountRoutes(AuthGate gate) {
    routes.addAll(new TaskHttpApi(config, limits, registry, store, waiters, gate).mount(router));
  }

  private void startLostDetector() {
    lostTimer =
        vertx.setPeriodic(
            limits.lostCheck().toMillis(),
            id -> {
              long cutoff = System.currentTimeMillis() - config.lostAfter().toMillis();
              registry.markLost(cutoff).onFailure(e -> LOG.error("saving lost tasks failed", e));
            });
  }

  /**
   * Every change this replica made, told to the whole cluster: status frames for browsers, revoked
   * shares for socket nodes, and (through {@link #onTaskStatus} / {@link #onTaskDeleted} on every
   * taskinfo replica) answers for parked control requests.
   */
  private void onChange(Change change) {
    if (change.deleted()) {
      vertx
          .eventBus()
          .publish(Addresses.TASK_DELETED, Buffer.buffer(Json.bytes(new TaskGet(change.taskId()))));
      return;
    }
    // a new record (first registration, or re-created after a delete) is unshared: tell the socket
    // nodes too
    if (change.before() == null
        || !change.before().sharedWith().equals(change.after().sharedWith())) {
      vertx.eventBus().publish(Addresses.TASK_SHARING, Buffer.buffer(Json.bytes(change.after())));
    }
    if (change.statusChanged()) {
      Buffer body = Buffer.buffer(Json.bytes(change.toStatusChange(System.currentTimeMillis())));
      vertx.eventBus().publish(Addresses.TASK_STATUS, body);
    }
  }

  /** A status change on any replica: parked control requests of the task get a decisive state. */
  private void onTaskStatus(Message<Buffer> message) {
    ControlState control =
        ControlState.of(Bodies.decodeTrusted(message.body().getBytes(), TaskStatusChange.class));
    if (control.decisive()) {
      waiters.release(control);
    }
  }

  /** A task deleted on any replica: its parked control requests get 404. */
  private void onTaskDeleted(Message<Buffer> message) {
    waiters.gone(Bodies.decodeTrusted(message.body().getBytes(), TaskGet.class).taskId());
  }

  /** A heartbeat batch from ingest; window counts come from the store, the one source of them. */
  private void onTasksSeen(Message<Buffer> message) {
    List<TaskSeen> batch;
    try {
      batch = Bodies.decodeTrusted(message.body().getBytes(), TasksSeen.class).tasks();
    } catch (RuntimeException e) {
      LOG.warn("ignoring malformed tasks-seen batch: {}", e.getMessage());
      return;
    }
    withStats(batch)
        .compose(seen -> registry.seen(seen, System.currentTimeMillis()))
        .onFailure(e -> LOG.error("saving seen tasks failed", e));
  }

  private Future<List<TaskSeen>> withStats(List<TaskSeen> batch) {
    List<Future<TaskSeen>> completed =
        batch.stream().filter(Objects::nonNull).map(this::withStats).toList();
    return Future.join(completed).map(v -> completed.stream().map(Future::result).toList());
  }

  /** {@code seen} with the store's last seq and window count; unchanged when the store has none. */
  private Future<TaskSeen> withStats(TaskSeen seen) {
    if (!VizConfig.isValidTaskId(seen.taskId())) {
      return Future.succeededFuture(seen);
    }
    return store
        .stats(seen.taskId())
        .map(
            stats ->
                stats == null
                    ? seen
                    : new TaskSeen(
                        seen.taskId(),
                        seen.seenAt(),
                        Math.max(seen.lastSeq(), stats.lastSeq()),
                        stats.windows(),
                        seen.events()))
        .otherwise(seen);
  }

  /** Request/reply: the task's record, or fail 404 / 400. */
  private void onTaskGet(Message<Buffer> message) {
    String taskId;
    try {
      taskId = Bodies.decodeTrusted(message.body().getBytes(), TaskGet.class).taskId();
    } catch (RuntimeException e) {
      message.fail(400, "malformed task-get request: " + e.getMessage());
      return;
    }
    registry
        .get(taskId == null ? "" : taskId)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                message.fail(503, ar.cause().getMessage());
              } else if (ar.result().isEmpty()) {
                message.fail(404, "task " + taskId + " does not exist");
              } else {
                message.reply(Buffer.buffer(Json.bytes(ar.result().get())));
              }
            });
  }
}
