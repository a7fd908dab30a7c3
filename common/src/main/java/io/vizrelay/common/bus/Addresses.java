package io.vizrelay.common.bus;

/** Every event-bus address of vizrelay, built in one place so services cannot drift apart. */
public final class Addresses {
  private Addresses() {}

  /**
   * Live deltas of one task: ingest publishes, socket nodes consume (one consumer per task per
   * node).
   */
  public static String task(String taskId) {
    return "vizrelay.task." + taskId;
  }

  /**
   * Commands to the browser sessions of one socket hub (visdom's {@code POST /env/<eid> {sid}}
   * flow): one consumer per hub, not per session, so a browser connecting costs no cluster-wide
   * registration. A session id is a uuid4 string, as visdom's, whose first 12 hex digits are the
   * hub's id ({@link #newSessionId}); the sender finds the hub from it ({@link
   * #sessionsOf(String)}) and names the session in the {@link #SID} header.
   */
  public static String sessions(String hub) {
    return "vizrelay.sessions." + hub;
  }

  /** Header naming the session a {@link #sessions} message is for. */
  public static final String SID = "sid";

  /** A new hub id: 12 random lowercase hex digits. */
  public static String newHubId() {
    return java.util.UUID.randomUUID().toString().substring(24);
  }

  /**
   * A new session id of {@code hub} (from {@link #newHubId}): a random uuid4 whose first 12 hex
   * digits (time_low and time_mid) are the hub's, 74 random bits left.
   */
  public static String newSessionId(String hub) {
    String random = java.util.UUID.randomUUID().toString();
    return hub.substring(0, 8) + "-" + hub.substring(8, 12) + random.substring(13);
  }

  /**
   * The address of the hub holding session {@code sid}, or null when {@code sid} is not one of
   * ours.
   */
  public static String sessionsOf(String sid) {
    if (sid == null || !SESSION_ID.matcher(sid).matches()) {
      return null;
    }
    return sessions(sid.substring(0, 8) + sid.substring(9, 13));
  }

  private static final java.util.regex.Pattern SESSION_ID =
      java.util.regex.Pattern.compile(
          "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  /** Batched "task seen" heartbeats from ingest to taskinfo. */
  public static final String TASKS_SEEN = "vizrelay.tasks.seen";

  /**
   * Request/reply, before a write that may create a task's data: a {@link
   * io.vizrelay.common.model.TaskGet} naming it. A task the registry knows is admitted; an unknown
   * one is registered now (auto-registered, counted against its owner's task limit) or refused with
   * failure code 422 when its owner is at the limit.
   */
  public static final String TASK_ADMIT = "vizrelay.tasks.admit";

  /** Request/reply: get one task record. */
  public static final String TASK_GET = "vizrelay.tasks.get";

  /**
   * Published when a task's {@code shared_with} changes: the {@link
   * io.vizrelay.common.model.TaskRecord} JSON after the change. Socket nodes close read-only
   * sessions of users no longer listed.
   */
  public static final String TASK_SHARING = "vizrelay.tasks.sharing";

  /** Published on every task status change. */
  public static final String TASK_STATUS = "vizrelay.tasks.status";

  /**
   * Published when a task leaves the registry: a {@link io.vizrelay.common.model.TaskGet} naming
   * it.
   */
  public static final String TASK_DELETED = "vizrelay.tasks.deleted";

  /**
   * Published when a credential is revoked (an API key, or a session at sign-out): the body is the
   * revocation's id; every process's {@code Revocations} refuses it from then on.
   */
  public static final String AUTH_REVOKED = "vizrelay.auth.revoked";

  /** Python-client sockets of one task ({@code /vis_socket}): browser events forwarded to jobs. */
  public static String visSocket(String taskId) {
    return "vizrelay.vis." + taskId;
  }
}
