package io.vizrelay.bench;

import java.util.Arrays;

/** A growable list of primitive longs (latency samples), confined to one thread at a time. */
final class LongList {
  private long[] values;
  private int size;

  LongList() {
    this(1024);
  }

  LongList(int capacity) {
    values = new long[Math.max(16, capacity)];
  }

  void add(long v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[size++] = v;
  }

  void addAll(LongList other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  long get(int i) {
    return values[i];
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  long[] toArray() {
    return Arrays.copyOf(values, size);
  }
}
