package io.vizrelay.ingest;

import io.vizrelay.common.visdom.Points;
import io.vizrelay.common.visdom.VisdomCommand;

/**
 * Data points of an ingest command for {@code vizrelay_ingest_points_total}, counted without
 * walking the data (as the per-window limit counts them): a trace counts {@code max(len x, len y,
 * cells of z)}; O(traces).
 */
final class IngestPoints {
  private IngestPoints() {}

  static long of(VisdomCommand command) {
    if (command instanceof VisdomCommand.CreateWindow c) {
      return Points.ofTraces(c.data());
    }
    if (command instanceof VisdomCommand.UpdateWindow u && !u.delete()) {
      return Points.ofTraces(u.data());
    }
    return 0;
  }
}
