package io.vizrelay.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads what the relay benchmark needs from one socket frame with Jackson's streaming parser (no
 * tree): the top-level {@code command}, {@code seq} and {@code mode}, and the largest appended y
 * value, which is the latency probe's marker. y values are found in all three live shapes: a {@code
 * window_update} op {@code {"op":"add","path":".../y/<n>","value":v}}, a compact {@code append}'s
 * {@code traces[].y}, and a full {@code window}'s {@code content.data[].y}.
 */
final class FrameScan {
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * @param marker the largest y value in the frame, or -1 when it carries none
   * @param reason a {@code sync} frame's top-level {@code reason} (why the server re-synced), or
   *     null
   */
  record Scanned(String command, long seq, String mode, long marker, String reason) {}

  private FrameScan() {}

  static Scanned scan(byte[] frame) {
    String command = null;
    String mode = null;
    String reason = null;
    long seq = -1;
    double marker = -1;
    String lastPath = null;
    try (JsonParser p = JSON.createParser(frame)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (!t.isScalarValue()) {
          continue;
        }
        JsonStreamContext c = p.getParsingContext();
        boolean topLevel = c.inObject() && c.getParent().inRoot();
        String name = c.getCurrentName();
        if (t == JsonToken.VALUE_STRING) {
          if (topLevel && "command".equals(name)) {
            command = p.getText();
          } else if (topLevel && "mode".equals(name)) {
            mode = p.getText();
          } else if (topLevel && "reason".equals(name)) {
            reason = p.getText();
          } else if ("path".equals(name)) {
            lastPath = p.getText();
          }
        } else if (t.isNumeric()) {
          if (topLevel && "seq".equals(name)) {
            seq = p.getLongValue();
          } else if (isY(c, lastPath)) {
            marker = Math.max(marker, p.getDoubleValue());
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "unparseable frame: " + new String(frame, 0, Math.min(200, frame.length)), e);
    }
    return new Scanned(command, seq, mode, (long) marker, reason);
  }

  /**
   * True for a y-array element, or an op value (or its elements) whose path points into a y array.
   */
  private static boolean isY(JsonStreamContext c, String lastPath) {
    if (c.inArray()) {
      String owner = c.getParent().getCurrentName();
      return "y".equals(owner) || ("value".equals(owner) && yPath(lastPath));
    }
    return c.inObject() && "value".equals(c.getCurrentName()) && yPath(lastPath);
  }

  private static boolean yPath(String path) {
    return path != null && (path.contains("/y/") || path.endsWith("/y"));
  }

  /**
   * True when a message is the {@code layout} frame that ends a snapshot (a cheap prefix check).
   */
  static boolean isLayout(byte[] frame) {
    String head =
        new String(
            frame, 0, Math.min(frame.length, 24), java.nio.charset.StandardCharsets.US_ASCII);
    return head.startsWith("{\"command\":\"layout\"");
  }
}
