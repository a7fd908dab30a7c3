package io.vizrelay.common.store.pg;

import java.util.List;

/**
 * What one grid operation adds to a task's stream in PostgreSQL: the frames after {@code prevSeq}
 * (contiguous, in seq order) and, now and then, a snapshot of the state at {@code lastSeq}. The
 * write commits only when PostgreSQL's stream is still at {@code epoch:prevSeq}, so no frame can be
 * written after a hole.
 *
 * @param snapshot the state at {@code lastSeq}, or null
 */
public record StreamWrite(
    String taskId, String epoch, long prevSeq, long lastSeq, List<Row> frames, byte[] snapshot) {

  /** One numbered frame as stored. */
  public record Row(long seq, String env, long atMs, byte[] visdom, byte[] compact) {}

  public StreamWrite {
    frames = List.copyOf(frames);
    long expect = prevSeq + 1;
    for (Row r : frames) {
      if (r.seq() != expect++) {
        throw new IllegalArgumentException(
            "frames of " + taskId + " not contiguous after " + prevSeq);
      }
    }
    if (!frames.isEmpty() && frames.get(frames.size() - 1).seq() != lastSeq) {
      throw new IllegalArgumentException("lastSeq " + lastSeq + " is not the last frame's seq");
    }
  }
}
