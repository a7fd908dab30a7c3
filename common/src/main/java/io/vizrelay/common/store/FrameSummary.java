package io.vizrelay.common.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * What a frame does to the plotted points, read once per node for sessions that keep a bounded view
 * (a socket's {@code max_points}, docs/PROTOCOL.md "Downsampled traces"): its command, its window,
 * the points it appends per trace, whether it changes a window otherwise ({@code structural}), and
 * for a whole {@code window} its longest trace. Read with a streaming parser: values are skipped,
 * never built.
 *
 * @param appended points appended per trace index (empty when none)
 * @param structural a {@code window_update} with any op but an append of x/y or a version bump
 * @param longestTrace for a {@code window} frame, the points of its longest trace, else 0
 */
public record FrameSummary(
    String command, String win, int[] appended, boolean structural, long longestTrace) {

  /** Reads the summary of a serialized frame. */
  public static FrameSummary of(Buffer frame) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(frame.getBytes())) {
      return read(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FrameSummary read(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return new FrameSummary("", null, new int[0], false, 0);
    }
    Reader r = new Reader();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "command" -> r.command = p.getValueAsString();
        case "win", "id" -> r.win = t.isScalarValue() ? p.getValueAsString() : r.win;
        case "data" -> {
          if ("close".equals(r.command) && t.isScalarValue()) {
            r.win = p.getValueAsString(); // close names its window in data
          } else {
            p.skipChildren();
          }
        }
        case "traces" -> r.traces(p);
        case "content" -> r.content(p);
        default -> p.skipChildren();
      }
    }
    return new FrameSummary(
        r.command == null ? "" : r.command, r.win, r.appended, r.structural, r.longest);
  }

  /** Accumulates while reading. */
  private static final class Reader {
    String command;
    String win;
    int[] appended = new int[0];
    boolean structural;
    long longest;

    private void add(int trace, int points) {
      if (trace < 0) {
        return;
      }
      if (trace >= appended.length) {
        appended = Arrays.copyOf(appended, trace + 1);
      }
      appended[trace] += points;
    }

    /** A compact append's {@code traces: [{index, x, y}]}. */
    void traces(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        int index = -1;
        int points = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          if (f.equals("index")) {
            index = p.getValueAsInt(-1);
          } else if (f.equals("x") || f.equals("y")) {
            points = Math.max(points, count(p));
          } else {
            p.skipChildren();
          }
        }
        add(index, points);
      }
    }

    /** A window's content (its traces' lengths) or a window_update's ops. */
    void content(JsonParser p) throws IOException {
      if ("window_update".equals(command) && p.currentToken() == JsonToken.START_ARRAY) {
        ops(p);
      } else if (p.currentToken() == JsonToken.START_OBJECT) {
        windowContent(p);
      } else {
        p.skipChildren();
      }
    }

    private void windowContent(JsonParser p) throws IOException {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals("data") && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            long points = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String tf = p.currentName();
              p.nextToken();
              if (tf.equals("x") || tf.equals("y")) {
                points = Math.max(points, count(p));
              } else {
                p.skipChildren();
              }
            }
            longest = Math.max(longest, points);
          }
        } else {
          p.skipChildren();
        }
      }
    }

    /** RFC 6902 ops: appends of y count as points, anything but x/y appends is structural. */
    private void ops(JsonParser p) throws IOException {
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String op = null;
        String path = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          if (f.equals("op")) {
            op = p.getValueAsString();
          } else if (f.equals("path")) {
            path = p.getValueAsString();
          } else {
            p.skipChildren();
          }
        }
        op(op, path);
      }
    }

    private void op(String op, String path) {
      if (path == null || path.equals("/version") || path.equals("/contentID")) {
        return;
      }
      String[] parts = path.split("/");
      // "", "content", "data", <n>, "x"|"y", <index or ->
      boolean pointAppend =
          "add".equals(op)
              && parts.length == 6
              && parts[1].equals("content")
              && parts[2].equals("data")
              && (parts[4].equals("x") || parts[4].equals("y"));
      if (!pointAppend) {
        structural = true;
        return;
      }
      if (parts[4].equals("y")) {
        try {
          add(Integer.parseInt(parts[3]), 1);
        } catch (NumberFormatException e) {
          structural = true;
        }
      }
    }

    /** Elements of the array at the parser (0 when it is no array), skipping their content. */
    private static int count(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        return 0;
      }
      int n = 0;
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        n++;
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
          p.skipChildren();
        }
      }
      return n;
    }
  }
}
