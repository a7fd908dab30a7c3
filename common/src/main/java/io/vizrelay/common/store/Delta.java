package io.vizrelay.common.store;

import io.vertx.core.buffer.Buffer;

/**
 * One numbered frame of a task's stream, serialized once: {@code visdom} is the visdom-format
 * message with {@code seq} and {@code env} members added, {@code compact} the compact append form
 * (or null). Both buffers are shared by every session of a node and must not be modified.
 *
 * @param epoch the life of the task's stream this seq belongs to
 * @param env the env the frame belongs to, or null for task-wide frames
 */
public record Delta(String taskId, String epoch, long seq, String env, Buffer visdom, Buffer compact) {
  /** The bytes for a session that asked for compact appends. */
  public Buffer frameFor(boolean compactClient) {
    return compactClient && compact != null ? compact : visdom;
  }

  /** True when a session that shows {@code sessionEnv} ({@code *} = all envs) must get this frame. */
  public boolean visibleIn(String sessionEnv) {
    return env == null || "*".equals(sessionEnv) || env.equals(sessionEnv);
  }
}
