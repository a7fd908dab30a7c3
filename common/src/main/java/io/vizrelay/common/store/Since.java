package io.vizrelay.common.store;

import java.util.List;

/**
 * Answer to "what happened after {@code epoch:seq}": the missed deltas in order, or {@code gone}
 * when they are no longer retained (or the epoch is another life of the stream).
 */
public record Since(boolean gone, List<Delta> deltas) {
  public static final Since GONE = new Since(true, List.of());

  public static Since of(List<Delta> deltas) {
    return new Since(false, deltas);
  }
}
