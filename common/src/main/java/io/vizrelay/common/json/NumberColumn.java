package io.vizrelay.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.RandomAccess;

/**
 * The element list of a {@link CompactArrayNode}: numbers held as primitives, anything else as
 * nodes. Every element reads back as the node that was stored ({@link IntNode} for an int, a {@link
 * LongNode} for a long, a {@link DoubleNode} for a double), so the array serializes and compares
 * exactly as a plain {@code ArrayNode} of the same nodes would.
 *
 * <p>Forms, from most to least compact; a value that does not fit the current form moves the column
 * to the next one that holds it, never back:
 *
 * <ol>
 *   <li>{@code STEP}: integers in arithmetic progression ({@code first + i * step}), 0 bytes per
 *       element (the usual x column: 0, 1, 2, ...);
 *   <li>{@code LONGS}: integers in a {@code long[]};
 *   <li>{@code DOUBLES}: a {@code double[]}, with a bit set for the elements that were integers
 *       (|v| ≤ 2^53, exactly representable);
 *   <li>{@code NODES}: a list of nodes (strings, nulls, objects, big numbers, floats...).
 * </ol>
 *
 * Integers are recreated as {@link IntNode} when they fit an int and {@link LongNode} otherwise, as
 * Jackson's parser makes them; a column whose first integer was a {@code LongNode} that fits an int
 * recreates every integer as a {@code LongNode}. A node that would not be recreated as itself moves
 * the column to {@code NODES}.
 */
final class NumberColumn extends AbstractList<JsonNode> implements RandomAccess {
  private static final byte STEP = 0;
  private static final byte LONGS = 1;
  private static final byte DOUBLES = 2;
  private static final byte NODES = 3;
  private static final long MAX_EXACT = 1L << 53;

  private byte form = STEP;

  /** In STEP/LONGS: integers are recreated as LongNode even when they fit an int. */
  private boolean longNodes;

  private int size;
  private long first;
  private long step;
  private long[] longs;
  private double[] doubles;

  /** In DOUBLES: the elements that were integers, or null when none. */
  private BitSet ints;

  private ArrayList<JsonNode> nodes;

  NumberColumn() {}

  private NumberColumn(NumberColumn from) {
    form = from.form;
    longNodes = from.longNodes;
    size = from.size;
    first = from.first;
    step = from.step;
    longs = from.longs == null ? null : Arrays.copyOf(from.longs, from.size);
    doubles = from.doubles == null ? null : Arrays.copyOf(from.doubles, from.size);
    ints = from.ints == null ? null : (BitSet) from.ints.clone();
  }

  /** A copy; containers held in the {@code NODES} form are deep-copied. */
  NumberColumn deepCopy() {
    if (form != NODES) {
      return new NumberColumn(this);
    }
    NumberColumn copy = new NumberColumn();
    copy.form = NODES;
    copy.nodes = new ArrayList<>(nodes.size());
    for (JsonNode n : nodes) {
      copy.nodes.add(n.isContainerNode() ? n.deepCopy() : n);
    }
    copy.size = size;
    return copy;
  }

  /** True when every element is held as a primitive. */
  boolean primitive() {
    return form != NODES;
  }

  /** Bytes of heap this column holds beyond its object header (an estimate for accounting). */
  long heapBytes() {
    return switch (form) {
      case STEP -> 0;
      case LONGS -> 16L + 8L * longs.length;
      case DOUBLES -> 16L + 8L * doubles.length + (ints == null ? 0 : 16 + ints.size() / 8);
      default -> 40L + 4L * nodes.size() + 24L * nodes.size();
    };
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public JsonNode get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    }
    return switch (form) {
      case STEP -> integer(first + index * step);
      case LONGS -> integer(longs[index]);
      case DOUBLES ->
          ints != null && ints.get(index)
              ? integer((long) doubles[index])
              : DoubleNode.valueOf(doubles[index]);
      default -> nodes.get(index);
    };
  }

  private JsonNode integer(long v) {
    return !longNodes && v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
  }

  @Override
  public boolean add(JsonNode node) {
    add(size, node);
    return true;
  }

  @Override
  public void add(int index, JsonNode node) {
    if (index < 0 || index > size) {
      throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    }
    if (index == size && appendFast(node)) {
      return;
    }
    if (form == STEP) {
      toLongs();
    }
    if (!fits(node)) {
      widenFor(node);
    }
    switch (form) {
      case LONGS -> {
        longs = room(longs);
        System.arraycopy(longs, index, longs, index + 1, size - index);
        longs[index] = node.longValue();
      }
      case DOUBLES -> {
        doubles = room(doubles);
        System.arraycopy(doubles, index, doubles, index + 1, size - index);
        doubles[index] = node.doubleValue();
        shiftInts(index, 1);
        markInt(index, node.isIntegralNumber());
      }
      default -> nodes.add(index, node);
    }
    size++;
    modCount++;
  }

  /**
   * Appends in the STEP form (when the value continues the progression) or in place; false if not.
   */
  private boolean appendFast(JsonNode node) {
    if (form == STEP && size == 0 && isInteger(node)) {
      longNodes = node instanceof LongNode && node.canConvertToInt();
      first = node.longValue();
      size = 1;
      modCount++;
      return true;
    }
    if (form == STEP && size >= 1 && fits(node) && continues(node.longValue())) {
      size++;
      modCount++;
      return true;
    }
    return false;
  }

  /** Whether {@code v} is the next term of the progression (fixing the step at the second term). */
  private boolean continues(long v) {
    try {
      if (size == 1) {
        step = Math.subtractExact(v, first);
        return true;
      }
      return v == Math.addExact(first, Math.multiplyExact((long) size, step));
    } catch (ArithmeticException overflow) {
      return false;
    }
  }

  @Override
  public JsonNode set(int index, JsonNode node) {
    JsonNode old = get(index);
    if (form == STEP) {
      toLongs();
    }
    if (!fits(node)) {
      widenFor(node);
    }
    switch (form) {
      case LONGS -> longs[index] = node.longValue();
      case DOUBLES -> {
        doubles[index] = node.doubleValue();
        markInt(index, node.isIntegralNumber());
      }
      default -> nodes.set(index, node);
    }
    return old;
  }

  @Override
  public JsonNode remove(int index) {
    JsonNode old = get(index);
    if (form == STEP && index != size - 1) {
      toLongs();
    }
    switch (form) {
      case STEP -> {}
      case LONGS -> System.arraycopy(longs, index + 1, longs, index, size - index - 1);
      case DOUBLES -> {
        System.arraycopy(doubles, index + 1, doubles, index, size - index - 1);
        shiftInts(index + 1, -1);
      }
      default -> nodes.remove(index);
    }
    size--;
    modCount++;
    return old;
  }

  @Override
  public void clear() {
    form = STEP;
    longNodes = false;
    size = 0;
    longs = null;
    doubles = null;
    ints = null;
    nodes = null;
    modCount++;
  }

  /** Writes the elements as the nodes would, without making them. Caller writes the brackets. */
  void writeElements(JsonGenerator g) throws IOException {
    switch (form) {
      case STEP -> {
        for (int i = 0; i < size; i++) {
          writeInteger(g, first + i * step);
        }
      }
      case LONGS -> {
        for (int i = 0; i < size; i++) {
          writeInteger(g, longs[i]);
        }
      }
      case DOUBLES -> {
        for (int i = 0; i < size; i++) {
          if (ints != null && ints.get(i)) {
            writeInteger(g, (long) doubles[i]);
          } else {
            g.writeNumber(doubles[i]);
          }
        }
      }
      default -> throw new IllegalStateException("not primitive");
    }
  }

  private static void writeInteger(JsonGenerator g, long v) throws IOException {
    if (v == (int) v) {
      g.writeNumber((int) v);
    } else {
      g.writeNumber(v);
    }
  }

  /** True when the current form holds {@code node} and gives it back as itself. */
  private boolean fits(JsonNode node) {
    return switch (form) {
      case STEP, LONGS -> isInteger(node) && (size == 0 || sameIntegerKind(node));
      case DOUBLES ->
          node instanceof DoubleNode
              || (isInteger(node)
                  && !longNodes
                  && exact(node.longValue())
                  && sameIntegerKind(node));
      default -> true;
    };
  }

  private static boolean isInteger(JsonNode node) {
    return node instanceof IntNode || node instanceof LongNode;
  }

  /** Whether {@link #integer} recreates {@code node} as the same class. */
  private boolean sameIntegerKind(JsonNode node) {
    boolean fitsInt = node.canConvertToInt();
    if (node instanceof IntNode) {
      return !longNodes;
    }
    return longNodes || !fitsInt;
  }

  private static boolean exact(long v) {
    return v >= -MAX_EXACT && v <= MAX_EXACT;
  }

  /** Moves to the least compact form that holds {@code node} (LONGS to DOUBLES, or to NODES). */
  private void widenFor(JsonNode node) {
    if (form == LONGS && node instanceof DoubleNode && !longNodes && allExact()) {
      toDoubles();
      return;
    }
    toNodes();
  }

  private boolean allExact() {
    for (int i = 0; i < size; i++) {
      if (!exact(longs[i])) {
        return false;
      }
    }
    return true;
  }

  private void toLongs() {
    long[] out = new long[Math.max(4, size)];
    for (int i = 0; i < size; i++) {
      out[i] = first + i * step;
    }
    longs = out;
    form = LONGS;
  }

  private void toDoubles() {
    double[] out = new double[Math.max(4, longs.length)];
    BitSet marks = size == 0 ? null : new BitSet(size);
    for (int i = 0; i < size; i++) {
      out[i] = longs[i];
      marks.set(i);
    }
    doubles = out;
    ints = marks;
    longs = null;
    form = DOUBLES;
  }

  private void toNodes() {
    if (form == STEP) {
      toLongs();
    }
    ArrayList<JsonNode> out = new ArrayList<>(Math.max(4, size + 1));
    for (int i = 0; i < size; i++) {
      out.add(get(i));
    }
    nodes = out;
    longs = null;
    doubles = null;
    ints = null;
    form = NODES;
  }

  private void markInt(int index, boolean integer) {
    if (integer) {
      if (ints == null) {
        ints = new BitSet();
      }
      ints.set(index);
    } else if (ints != null) {
      ints.clear(index);
    }
  }

  /** Shifts the int marks at and after {@code from} by {@code by} (1 or -1). */
  private void shiftInts(int from, int by) {
    if (ints == null) {
      return;
    }
    BitSet shifted = ints.get(0, Math.max(0, from + Math.min(0, by)));
    for (int i = ints.nextSetBit(from); i >= 0; i = ints.nextSetBit(i + 1)) {
      shifted.set(i + by);
    }
    ints = shifted;
  }

  private long[] room(long[] a) {
    return size < a.length ? a : Arrays.copyOf(a, grow(a.length));
  }

  private double[] room(double[] a) {
    return size < a.length ? a : Arrays.copyOf(a, grow(a.length));
  }

  /**
   * Grows by 1/8 once large, so a long column wastes little (a big array is copied rarely anyway).
   */
  private static int grow(int length) {
    int extra = length < 4096 ? Math.max(4, length) : length >> 3;
    return Math.addExact(length, extra);
  }

  /**
   * Writes the column in its own form (the cluster's binary state, {@link TreeCodec}); NODES is not
   * written here.
   */
  void writePrimitive(java.io.DataOutput out) throws IOException {
    out.writeByte(form);
    out.writeInt(size);
    out.writeBoolean(longNodes);
    switch (form) {
      case STEP -> {
        out.writeLong(first);
        out.writeLong(step);
      }
      case LONGS -> {
        for (int i = 0; i < size; i++) {
          out.writeLong(longs[i]);
        }
      }
      case DOUBLES -> {
        for (int i = 0; i < size; i++) {
          out.writeDouble(doubles[i]);
        }
        long[] marks = ints == null ? new long[0] : ints.toLongArray();
        out.writeInt(marks.length);
        for (long m : marks) {
          out.writeLong(m);
        }
      }
      default -> throw new IllegalStateException("not primitive");
    }
  }

  /** Reads what {@link #writePrimitive} wrote. */
  static NumberColumn readPrimitive(java.io.DataInput in) throws IOException {
    NumberColumn c = new NumberColumn();
    c.form = in.readByte();
    c.size = in.readInt();
    c.longNodes = in.readBoolean();
    switch (c.form) {
      case STEP -> {
        c.first = in.readLong();
        c.step = in.readLong();
      }
      case LONGS -> {
        c.longs = new long[Math.max(4, c.size)];
        for (int i = 0; i < c.size; i++) {
          c.longs[i] = in.readLong();
        }
      }
      case DOUBLES -> {
        c.doubles = new double[Math.max(4, c.size)];
        for (int i = 0; i < c.size; i++) {
          c.doubles[i] = in.readDouble();
        }
        long[] marks = new long[in.readInt()];
        for (int i = 0; i < marks.length; i++) {
          marks[i] = in.readLong();
        }
        c.ints = marks.length == 0 ? null : BitSet.valueOf(marks);
      }
      default -> throw new IOException("bad column form " + c.form);
    }
    return c;
  }

  /** For tests: the form's name. */
  String formName() {
    return List.of("STEP", "LONGS", "DOUBLES", "NODES").get(form);
  }
}
