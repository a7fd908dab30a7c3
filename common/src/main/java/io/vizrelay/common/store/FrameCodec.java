package io.vizrelay.common.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.EnvState;
import io.vizrelay.common.visdom.Frame;
import io.vizrelay.common.visdom.TaskState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Serializes frames and snapshots once, with the {@code seq}/{@code env} envelope members. */
public final class FrameCodec {
  private FrameCodec() {}

  /** Numbers and serializes a frame: {@code {"command":..., "seq":N, "env":E, ...rest}}. */
  public static Delta encode(String taskId, String epoch, long seq, Frame frame) {
    Buffer compact =
        frame.compact() == null
            ? null
            : Buffer.buffer(Json.bytes(envelope(frame.compact(), seq, frame.env())));
    if (compact != null && CompactAppends.derivable(frame.compact())) {
      return Delta.ofCompact(taskId, epoch, seq, frame.env(), compact);
    }
    Buffer visdom = Buffer.buffer(Json.bytes(envelope(frame.message(), seq, frame.env())));
    return new Delta(taskId, epoch, seq, frame.env(), visdom, compact);
  }

  /** A delta read back from the log: compact appends stay compact-only. */
  public static Delta decodeStored(
      String taskId, String epoch, long seq, String env, byte[] stored) {
    Buffer bytes = Buffer.buffer(stored);
    return CompactAppends.isCompactAppend(stored)
        ? Delta.ofCompact(taskId, epoch, seq, env, bytes)
        : new Delta(taskId, epoch, seq, env, bytes, null);
  }

  /**
   * {@code {"command":..., "seq":N, "env":E, ...rest}}: what copying the message's members after
   * {@code command}, {@code seq} and {@code env} into a new object would give (a member of the
   * message with one of those names keeps its value in that place), written straight to the
   * generator without the copy. {@code command} stays first when it is first in the message
   * (always, except a window stored through {@code /win_data} with its members in another order,
   * which keeps that order: the state rebuilt from the log must hold the window exactly as it was
   * stored).
   */
  static JsonSerializable envelope(ObjectNode message, long seq, String env) {
    return new Envelope(message, seq, env);
  }

  private record Envelope(ObjectNode message, long seq, String env) implements JsonSerializable {
    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartObject();
      boolean commandFirst = "command".equals(firstField(message));
      if (commandFirst) {
        member(g, provider, "command");
      }
      if (message.has("seq")) {
        member(g, provider, "seq");
      } else {
        g.writeNumberField("seq", seq);
      }
      if (env != null && message.has("env")) {
        member(g, provider, "env");
      } else if (env != null) {
        g.writeStringField("env", env);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = message.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> m = it.next();
        String name = m.getKey();
        boolean written =
            commandFirst && "command".equals(name)
                || "seq".equals(name)
                || env != null && "env".equals(name);
        if (!written) {
          g.writeFieldName(name);
          m.getValue().serialize(g, provider);
        }
      }
      g.writeEndObject();
    }

    private void member(JsonGenerator g, SerializerProvider provider, String name)
        throws IOException {
      g.writeFieldName(name);
      message.get(name).serialize(g, provider);
    }

    @Override
    public void serializeWithType(
        JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer) throws IOException {
      serialize(g, provider);
    }
  }

  private static String firstField(ObjectNode message) {
    var names = message.fieldNames();
    return names.hasNext() ? names.next() : null;
  }

  /** The replay of {@code env} ({@code *} = all envs) as visdom messages, each with {@code env}. */
  public static Snapshot snapshot(
      String taskId, String epoch, long seq, TaskState state, String env) {
    return snapshot(taskId, epoch, seq, state, env, WindowBytesCache.NONE);
  }

  /**
   * The same, reusing the serialized bytes of windows that did not change since the last snapshot.
   */
  public static Snapshot snapshot(
      String taskId, String epoch, long seq, TaskState state, String env, WindowBytesCache cache) {
    return snapshot(taskId, epoch, seq, state, env, cache, 0);
  }

  /**
   * The same with a point budget: windows holding a line/scatter trace longer than {@code
   * maxPoints} (when positive) are sent bucketed ({@link DownsampledWindow}) and listed in {@link
   * Snapshot#downsampled()}; the others come from the cache.
   */
  public static Snapshot snapshot(
      String taskId,
      String epoch,
      long seq,
      TaskState state,
      String env,
      WindowBytesCache cache,
      int maxPoints) {
    List<Buffer> frames = new ArrayList<>();
    Set<String> downsampled = new HashSet<>();
    List<String> envIds = state.envIds();
    Replay replay = new Replay(frames, downsampled, cache, maxPoints);
    if ("*".equals(env)) {
      envIds.forEach(eid -> replay.env(eid, state.env(eid)));
    } else if (state.env(env) != null) {
      replay.env(env, state.env(env));
    } else {
      frames.add(layout(env));
    }
    return new Snapshot(taskId, epoch, seq, envIds, frames, downsampled);
  }

  /** Collects the replay messages of envs. */
  private record Replay(
      List<Buffer> frames, Set<String> downsampled, WindowBytesCache cache, int maxPoints) {
    void env(String eid, EnvState env) {
      ObjectNode reload = Json.object().put("command", "reload").put("env", eid);
      reload.set("data", env.reload());
      frames.add(Buffer.buffer(Json.bytes(reload)));
      for (ObjectNode window : env.windowsInReplayOrder()) {
        if (maxPoints > 0 && DownsampledWindow.needed(window, maxPoints)) {
          frames.add(Buffer.buffer(DownsampledWindow.message(eid, window, maxPoints)));
          downsampled.add(Snapshot.key(eid, window.path("id").asText()));
        } else {
          frames.add(cache.bytes(eid, window, () -> windowMessage(eid, window)));
        }
      }
      frames.add(layout(eid));
    }
  }

  private static Buffer windowMessage(String eid, ObjectNode window) {
    ObjectNode out = Json.object();
    out.set("command", window.get("command"));
    out.put("env", eid);
    out.setAll(window);
    return Buffer.buffer(Json.bytes(out));
  }

  private static Buffer layout(String eid) {
    return Buffer.buffer(Json.bytes(Json.object().put("command", "layout").put("env", eid)));
  }
}
