package io.vizrelay.socket;

import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.FrameSummary;
import io.vizrelay.common.store.Snapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a socket with a point budget ({@code max_points}) has shown of each window, so its view
 * stays bounded (docs/PROTOCOL.md "Downsampled traces"). After a snapshot every line trace holds at
 * most {@code maxPoints} points; live appends flow on, and once some trace has been appended more
 * than {@code maxPoints} points since (its view would pass twice the budget) the session re-syncs
 * with a fresh downsampled snapshot ({@code reason: "rebucket"}). A frame the browser could not
 * apply to a bucketed window (a patch that is not a pure append), or a whole window too long for
 * the budget, is not sent: the re-sync's snapshot shows its result.
 *
 * <p>After a {@code since} resume the session does not know which windows the browser holds
 * bucketed, so the first such patch to any window re-syncs. Confined to the session's event loop.
 */
final class BoundedView {
  private final int maxPoints;
  private final Set<String> downsampled = new HashSet<>();
  private final Map<String, int[]> appended = new HashMap<>();
  private boolean known;

  BoundedView(int maxPoints) {
    this.maxPoints = maxPoints;
  }

  /** A snapshot was sent: the view is what it shows. */
  void snapshot(Snapshot snap) {
    downsampled.clear();
    downsampled.addAll(snap.downsampled());
    appended.clear();
    known = true;
  }

  /** A {@code since} resume was sent: the browser's view is unknown here. */
  void resumed() {
    downsampled.clear();
    appended.clear();
    known = false;
  }

  /**
   * Whether the delta (visible to the session) must not be sent as it is, the session re-syncing
   * instead; otherwise it is counted into the view.
   */
  boolean needsRebucket(Delta delta) {
    if (delta.env() == null) {
      return false;
    }
    FrameSummary s = delta.summary();
    if (s.win() == null) {
      return false;
    }
    String key = Snapshot.key(delta.env(), s.win());
    return switch (s.command()) {
      case "append" -> grows(key, s.appended());
      case "window_update" -> s.structural() && !patchable(key, delta) || grows(key, s.appended());
      case "window" -> replaced(key, s.longestTrace());
      case "close" -> {
        downsampled.remove(key);
        appended.remove(key);
        yield false;
      }
      default -> false;
    };
  }

  /**
   * Whether a patch that is not a pure append may be sent: the window is known unbucketed and the
   * patch too short to hold more than the budget's points (4 bytes a point at least).
   */
  private boolean patchable(String key, Delta delta) {
    return known && !downsampled.contains(key) && delta.frameFor(true).length() <= 4L * maxPoints;
  }

  private boolean grows(String key, int[] points) {
    if (points.length == 0) {
      return false;
    }
    int[] counts = appended.computeIfAbsent(key, k -> new int[points.length]);
    if (counts.length < points.length) {
      counts = java.util.Arrays.copyOf(counts, points.length);
      appended.put(key, counts);
    }
    boolean over = false;
    for (int i = 0; i < points.length; i++) {
      counts[i] += points[i];
      over |= counts[i] > maxPoints;
    }
    return over;
  }

  private boolean replaced(String key, long longestTrace) {
    if (longestTrace > maxPoints) {
      return true;
    }
    downsampled.remove(key);
    appended.remove(key);
    return false;
  }
}
