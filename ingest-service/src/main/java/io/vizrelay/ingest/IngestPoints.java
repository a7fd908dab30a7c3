package io.vizrelay.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.visdom.VisdomCommand;

/**
 * Data points of an ingest command for {@code vizrelay_ingest_points_total}, counted without
 * walking the data (as the per-window limit counts them): a trace counts
 * {@code max(len x, len y, cells of z)}; O(traces).
 */
final class IngestPoints {
  private IngestPoints() {}

  static long of(VisdomCommand command) {
    if (command instanceof VisdomCommand.CreateWindow c) {
      return ofTraces(c.data());
    }
    if (command instanceof VisdomCommand.UpdateWindow u && !u.delete()) {
      return ofTraces(u.data());
    }
    return 0;
  }

  static long ofTraces(JsonNode traces) {
    long n = 0;
    if (traces != null && traces.isArray()) {
      for (JsonNode t : traces) {
        n += ofTrace(t);
      }
    }
    return n;
  }

  private static long ofTrace(JsonNode trace) {
    long n = Math.max(size(trace.get("x")), size(trace.get("y")));
    JsonNode z = trace.get("z");
    if (z != null && z.isArray()) {
      long rows = z.size();
      long cols = rows > 0 && z.get(0).isArray() ? z.get(0).size() : 1;
      n = Math.max(n, rows * cols);
    }
    return n;
  }

  private static long size(JsonNode node) {
    return node != null && node.isArray() ? node.size() : 0;
  }
}
