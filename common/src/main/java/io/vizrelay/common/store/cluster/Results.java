package io.vizrelay.common.store.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the entry processors send back to the caller: only what it needs, never the whole entry. */
public final class Results {
  private Results() {}

  static void writeFrames(ObjectDataOutput out, List<RingFrame> frames) throws IOException {
    out.writeInt(frames.size());
    for (RingFrame f : frames) {
      f.write(out);
    }
  }

  static List<RingFrame> readFrames(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    List<RingFrame> frames = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      frames.add(RingFrame.read(in));
    }
    return frames;
  }

  /** The reply and numbered frames of an apply, or the client error that rejected it. */
  public static final class Apply implements DataSerializable {
    String errorCode;
    String errorMessage;
    String epoch;
    String reply;
    boolean json;
    List<RingFrame> frames = List.of();

    public Apply() {}

    static Apply error(String code, String message) {
      Apply a = new Apply();
      a.errorCode = code;
      a.errorMessage = message;
      return a;
    }

    static Apply ok(String epoch, String reply, boolean json, List<RingFrame> frames) {
      Apply a = new Apply();
      a.epoch = epoch;
      a.reply = reply;
      a.json = json;
      a.frames = frames;
      return a;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(errorCode);
      out.writeString(errorMessage);
      out.writeString(epoch);
      out.writeString(reply);
      out.writeBoolean(json);
      writeFrames(out, frames);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      errorCode = in.readString();
      errorMessage = in.readString();
      epoch = in.readString();
      reply = in.readString();
      json = in.readBoolean();
      frames = readFrames(in);
    }
  }

  /** A snapshot's serialized replay messages. */
  public static final class Snap implements DataSerializable {
    String epoch;
    long seq;
    List<String> envs = List.of();
    List<byte[]> frames = List.of();
    Set<String> downsampled = Set.of();

    public Snap() {}

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(epoch);
      out.writeLong(seq);
      out.writeInt(envs.size());
      for (String e : envs) {
        out.writeString(e);
      }
      out.writeInt(frames.size());
      for (byte[] f : frames) {
        out.writeByteArray(f);
      }
      out.writeInt(downsampled.size());
      for (String w : downsampled) {
        out.writeString(w);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      epoch = in.readString();
      seq = in.readLong();
      int n = in.readInt();
      envs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        envs.add(in.readString());
      }
      int m = in.readInt();
      frames = new ArrayList<>(m);
      for (int i = 0; i < m; i++) {
        frames.add(in.readByteArray());
      }
      int d = in.readInt();
      downsampled = new HashSet<>(d);
      for (int i = 0; i < d; i++) {
        downsampled.add(in.readString());
      }
    }
  }

  /** A range query's answer, or the error it met. */
  public static final class Points implements DataSerializable {
    String errorCode;
    String errorMessage;
    boolean downsampled;
    int points;
    byte[] body;

    public Points() {}

    static Points of(boolean downsampled, int points, byte[] body) {
      Points p = new Points();
      p.downsampled = downsampled;
      p.points = points;
      p.body = body;
      return p;
    }

    static Points error(String code, String message) {
      Points p = new Points();
      p.errorCode = code;
      p.errorMessage = message;
      return p;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(errorCode);
      out.writeString(errorMessage);
      out.writeBoolean(downsampled);
      out.writeInt(points);
      out.writeByteArray(body);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      errorCode = in.readString();
      errorMessage = in.readString();
      downsampled = in.readBoolean();
      points = in.readInt();
      body = in.readByteArray();
    }
  }

  /** The frames after a position, or gone. */
  public static final class After implements DataSerializable {
    boolean gone;
    List<RingFrame> frames = List.of();

    public After() {}

    After(boolean gone, List<RingFrame> frames) {
      this.gone = gone;
      this.frames = frames;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(gone);
      writeFrames(out, frames);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      gone = in.readBoolean();
      frames = readFrames(in);
    }
  }

  /** A task's summary figures. */
  public static final class Stats implements DataSerializable {
    String epoch;
    long lastSeq;
    int windows;
    List<String> envs = List.of();

    public Stats() {}

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(epoch);
      out.writeLong(lastSeq);
      out.writeInt(windows);
      out.writeInt(envs.size());
      for (String e : envs) {
        out.writeString(e);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      epoch = in.readString();
      lastSeq = in.readLong();
      windows = in.readInt();
      int n = in.readInt();
      envs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        envs.add(in.readString());
      }
    }
  }
}
