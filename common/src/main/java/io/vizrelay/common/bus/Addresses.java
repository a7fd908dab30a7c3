package io.vizrelay.common.bus;

/** Every event-bus address of vizrelay, built in one place so services cannot drift apart. */
public final class Addresses {
  private Addresses() {}

  /** Live deltas of one task: ingest publishes, socket nodes consume (one consumer per task per node). */
  public static String task(String taskId) {
    return "vizrelay.task." + taskId;
  }

  /** Commands to one browser session (visdom's {@code POST /env/<eid> {sid}} flow). */
  public static String session(String sid) {
    return "vizrelay.session." + sid;
  }

  /** Batched "task seen" heartbeats from ingest to taskinfo. */
  public static final String TASKS_SEEN = "vizrelay.tasks.seen";

  /** Request/reply: get one task record. */
  public static final String TASK_GET = "vizrelay.tasks.get";

  /**
   * Published when a task's {@code shared_with} changes: the {@link io.vizrelay.common.model.TaskRecord}
   * JSON after the change. Socket nodes close read-only sessions of users no longer listed.
   */
  public static final String TASK_SHARING = "vizrelay.tasks.sharing";

  /** Published on every task status change. */
  public static final String TASK_STATUS = "vizrelay.tasks.status";

  /** Published when a task leaves the registry: a {@link io.vizrelay.common.model.TaskGet} naming it. */
  public static final String TASK_DELETED = "vizrelay.tasks.deleted";

  /** Python-client sockets of one task ({@code /vis_socket}): browser events forwarded to jobs. */
  public static String visSocket(String taskId) {
    return "vizrelay.vis." + taskId;
  }
}
