package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.EnvState;
import io.vizrelay.common.visdom.Frame;
import io.vizrelay.common.visdom.TaskState;
import java.util.ArrayList;
import java.util.List;

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
   * {@code command} stays first when it is first in the message (always, except a window stored
   * through {@code /win_data} with its members in another order, which keeps that order: the state
   * rebuilt from the log must hold the window exactly as it was stored).
   */
  private static ObjectNode envelope(ObjectNode message, long seq, String env) {
    ObjectNode out = Json.object();
    if ("command".equals(firstField(message))) {
      out.set("command", message.get("command"));
    }
    out.put("seq", seq);
    if (env != null) {
      out.put("env", env);
    }
    out.setAll(message);
    return out;
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
    List<Buffer> frames = new ArrayList<>();
    List<String> envIds = state.envIds();
    if ("*".equals(env)) {
      envIds.forEach(eid -> replayEnv(frames, eid, state.env(eid), cache));
    } else if (state.env(env) != null) {
      replayEnv(frames, env, state.env(env), cache);
    } else {
      frames.add(layout(env));
    }
    return new Snapshot(taskId, epoch, seq, envIds, frames);
  }

  private static void replayEnv(
      List<Buffer> frames, String eid, EnvState env, WindowBytesCache cache) {
    ObjectNode reload = Json.object().put("command", "reload").put("env", eid);
    reload.set("data", env.reload());
    frames.add(Buffer.buffer(Json.bytes(reload)));
    for (ObjectNode window : env.windowsInReplayOrder()) {
      frames.add(cache.bytes(eid, window, () -> windowMessage(eid, window)));
    }
    frames.add(layout(eid));
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
