package io.vizrelay.common.store.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * How many recent frames a task's ring keeps: at least {@code frames}, and beyond that those
 * younger than {@code millis}, up to {@code hardCap} frames (memory bound under a burst).
 */
record Retention(int frames, long millis, int hardCap) {
  static Retention of(int frames, long millis) {
    return new Retention(frames, millis, (int) Math.min(Integer.MAX_VALUE, 4L * frames));
  }

  void trim(ArrayDeque<RingFrame> ring, long nowMs) {
    while (ring.size() > frames) {
      RingFrame oldest = ring.peekFirst();
      if (ring.size() > hardCap || oldest.atMs() < nowMs - millis) {
        ring.removeFirst();
      } else {
        break;
      }
    }
  }

  void write(ObjectDataOutput out) throws IOException {
    out.writeInt(frames);
    out.writeLong(millis);
    out.writeInt(hardCap);
  }

  static Retention read(ObjectDataInput in) throws IOException {
    return new Retention(in.readInt(), in.readLong(), in.readInt());
  }
}
