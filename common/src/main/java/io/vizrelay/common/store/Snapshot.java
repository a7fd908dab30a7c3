package io.vizrelay.common.store;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * The full state of a task (one env, or all with {@code *}) at {@code seq}, as the visdom replay
 * messages a browser applies: per env {@code reload}, every window in {@code i} order, {@code
 * layout}. Every message carries an {@code env} member.
 */
public record Snapshot(
    String taskId, String epoch, long seq, List<String> envs, List<Buffer> frames) {
  public long bytes() {
    long n = 0;
    for (Buffer b : frames) {
      n += b.length();
    }
    return n;
  }
}
