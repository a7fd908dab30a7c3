package io.vizrelay.common.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Compact append frames ({@code {"command":"append", "seq", "env", "win", "version", "contentID",
 * "traces":[{"index","x","y"}]}}) and the visdom {@code window_update} they stand for: the same
 * change as RFC 6902 ops, appending with the {@code -} index ({@code add /content/data/<n>/x/-}),
 * so no window length is needed to derive it.
 */
public final class CompactAppends {
  private static final byte[] PREFIX =
      "{\"command\":\"append\"".getBytes(StandardCharsets.US_ASCII);

  private CompactAppends() {}

  /** True when serialized frame bytes are a compact append (as {@code FrameCodec} writes them). */
  public static boolean isCompactAppend(byte[] frame) {
    if (frame.length < PREFIX.length) {
      return false;
    }
    for (int i = 0; i < PREFIX.length; i++) {
      if (frame[i] != PREFIX[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when the compact frame can stand alone (no marker colours, whose array may not exist yet).
   */
  public static boolean derivable(JsonNode compact) {
    for (JsonNode t : compact.path("traces")) {
      if (t.has("marker_color")) {
        return false;
      }
    }
    return true;
  }

  /** The visdom {@code window_update} for a compact append, streamed without building a tree. */
  public static Buffer toWindowUpdate(Buffer compactFrame) {
    JsonNode c = Json.parseTrusted(compactFrame.getBytes());
    ByteArrayOutputStream out = new ByteArrayOutputStream(compactFrame.length() * 3);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("command", "window_update");
      g.writeNumberField("seq", c.path("seq").asLong());
      if (c.hasNonNull("env")) {
        g.writeStringField("env", c.get("env").asText());
      }
      g.writeStringField("win", c.path("win").asText());
      g.writeArrayFieldStart("content");
      writeOp(g, "replace", "/version", c.get("version"));
      for (JsonNode t : c.path("traces")) {
        String trace = "/content/data/" + t.path("index").asInt();
        appendOps(g, trace + "/x/-", t.get("x"));
        appendOps(g, trace + "/y/-", t.get("y"));
      }
      writeOp(g, "replace", "/contentID", c.get("contentID"));
      g.writeEndArray();
      g.writeFieldName("version");
      g.writeTree(c.get("version"));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static void appendOps(JsonGenerator g, String path, JsonNode values) throws IOException {
    if (values == null) {
      return;
    }
    for (JsonNode v : values) {
      writeOp(g, "add", path, v);
    }
  }

  private static void writeOp(JsonGenerator g, String op, String path, JsonNode value)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("op", op);
    g.writeStringField("path", path);
    g.writeFieldName("value");
    g.writeTree(value);
    g.writeEndObject();
  }
}
