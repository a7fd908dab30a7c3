package io.vizrelay.common.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vizrelay.common.store.Delta;
import java.nio.charset.StandardCharsets;

/**
 * Carries a {@link Delta} on the event bus: by reference on the local node (the serialized frame is
 * shared, never copied), as {@code [taskId][seq][env][visdom][compact]} across the cluster.
 */
public final class DeltaCodec implements MessageCodec<Delta, Delta> {
  public static final String NAME = "vizrelay-delta";

  /**
   * Registers the codec as the default for {@link Delta}; safe to call more than once per Vertx.
   */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(Delta.class, new DeltaCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle of this node registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Delta d) {
    writeString(buffer, d.taskId());
    writeString(buffer, d.epoch());
    buffer.appendLong(d.seq());
    writeString(buffer, d.env());
    buffer.appendByte(d.compactOnly() ? (byte) 1 : (byte) 0);
    writeBuffer(buffer, d.compactOnly() ? null : d.visdom());
    writeBuffer(buffer, d.compact());
  }

  @Override
  public Delta decodeFromWire(int pos, Buffer buffer) {
    int[] at = {pos};
    String taskId = readString(buffer, at);
    String epoch = readString(buffer, at);
    long seq = buffer.getLong(at[0]);
    at[0] += 8;
    String env = readString(buffer, at);
    boolean compactOnly = buffer.getByte(at[0]) == 1;
    at[0] += 1;
    Buffer visdom = readBuffer(buffer, at);
    Buffer compact = readBuffer(buffer, at);
    return compactOnly
        ? Delta.ofCompact(taskId, epoch, seq, env, compact)
        : new Delta(taskId, epoch, seq, env, visdom, compact);
  }

  private static void writeBuffer(Buffer buffer, Buffer b) {
    if (b == null) {
      buffer.appendInt(-1);
    } else {
      buffer.appendInt(b.length()).appendBuffer(b);
    }
  }

  private static void writeString(Buffer buffer, String s) {
    if (s == null) {
      buffer.appendInt(-1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  private static String readString(Buffer buffer, int[] at) {
    Buffer b = readBuffer(buffer, at);
    return b == null ? null : b.toString(StandardCharsets.UTF_8);
  }

  private static Buffer readBuffer(Buffer buffer, int[] at) {
    int len = buffer.getInt(at[0]);
    at[0] += 4;
    if (len < 0) {
      return null;
    }
    Buffer b = buffer.getBuffer(at[0], at[0] + len);
    at[0] += len;
    return b;
  }

  @Override
  public Delta transform(Delta delta) {
    return delta;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
