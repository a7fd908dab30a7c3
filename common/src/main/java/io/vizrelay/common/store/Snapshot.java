package io.vizrelay.common.store;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Set;

/**
 * The full state of a task (one env, or all with {@code *}) at {@code seq}, as the visdom replay
 * messages a browser applies: per env {@code reload}, every window in {@code i} order, {@code
 * layout}. Every message carries an {@code env} member.
 *
 * @param downsampled the windows sent bucketed ({@link #key}), empty for a full-resolution snapshot
 */
public record Snapshot(
    String taskId,
    String epoch,
    long seq,
    List<String> envs,
    List<Buffer> frames,
    Set<String> downsampled) {
  public Snapshot(String taskId, String epoch, long seq, List<String> envs, List<Buffer> frames) {
    this(taskId, epoch, seq, envs, frames, Set.of());
  }

  /** The key of a window in {@link #downsampled}: {@code env/win} (env ids hold no {@code /}). */
  public static String key(String env, String win) {
    return env + "/" + win;
  }

  public long bytes() {
    long n = 0;
    for (Buffer b : frames) {
      n += b.length();
    }
    return n;
  }
}
