package io.vizrelay.common.store;

import io.vertx.core.buffer.Buffer;

/**
 * One numbered frame of a task's stream, serialized once and shared by every session of a node (the
 * buffers must not be modified).
 *
 * <p>{@link #visdom()} is the visdom-format message with {@code seq} and {@code env} members added;
 * {@link #compact()} the compact append form, or null. A pure append is made compact-only: its
 * visdom form is derived from the compact one the first time a visdom-format client needs it (most
 * browsers ask for compact frames, so most appends are never encoded twice), and the log stores the
 * compact bytes ({@link #stored()}), about a tenth of the visdom patch.
 */
public final class Delta {
  private final String taskId;
  private final String epoch;
  private final long seq;
  private final String env;
  private final Buffer compact;
  private final boolean derived;
  private volatile Buffer visdom;

  /**
   * @param epoch the life of the task's stream this seq belongs to
   * @param env the env the frame belongs to, or null for task-wide frames
   */
  public Delta(String taskId, String epoch, long seq, String env, Buffer visdom, Buffer compact) {
    this.taskId = taskId;
    this.epoch = epoch;
    this.seq = seq;
    this.env = env;
    this.visdom = visdom;
    this.compact = compact;
    this.derived = false;
  }

  private Delta(String taskId, String epoch, long seq, String env, Buffer compact) {
    this.taskId = taskId;
    this.epoch = epoch;
    this.seq = seq;
    this.env = env;
    this.compact = compact;
    this.derived = true;
  }

  /** A pure append known only in its compact form; the visdom form is derived on demand. */
  public static Delta ofCompact(String taskId, String epoch, long seq, String env, Buffer compact) {
    return new Delta(taskId, epoch, seq, env, compact);
  }

  public String taskId() {
    return taskId;
  }

  public String epoch() {
    return epoch;
  }

  public long seq() {
    return seq;
  }

  public String env() {
    return env;
  }

  public Buffer compact() {
    return compact;
  }

  /** The visdom-format frame (derived once from the compact form for compact-only deltas). */
  public Buffer visdom() {
    Buffer v = visdom;
    if (v == null) {
      v = CompactAppends.toWindowUpdate(compact);
      visdom = v;
    }
    return v;
  }

  /** True for a pure append known only in its compact form. */
  public boolean compactOnly() {
    return derived;
  }

  /** The bytes the durable log keeps for this delta. */
  public Buffer stored() {
    return derived ? compact : visdom();
  }

  /** The bytes for a session that asked for compact appends, or for visdom's format. */
  public Buffer frameFor(boolean compactClient) {
    return compactClient && compact != null ? compact : visdom();
  }

  /**
   * True when a session that shows {@code sessionEnv} ({@code *} = all envs) must get this frame.
   */
  public boolean visibleIn(String sessionEnv) {
    return env == null || "*".equals(sessionEnv) || env.equals(sessionEnv);
  }

  @Override
  public String toString() {
    return "Delta[" + taskId + " " + epoch + ":" + seq + " env=" + env + "]";
  }
}
