package io.vizrelay.common.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A binary form of a JSON tree that keeps numeric columns as they are held in memory (raw {@code
 * long}/{@code double} values, or an integer progression as two numbers): how the cluster tier
 * moves a task's state between members (migrations, replica syncs). Decoding gives a tree equal to
 * the encoded one, node classes included.
 */
public final class TreeCodec {
  private static final byte NULL = 0;
  private static final byte FALSE = 1;
  private static final byte TRUE = 2;
  private static final byte INT = 3;
  private static final byte LONG = 4;
  private static final byte DOUBLE = 5;
  private static final byte TEXT = 6;
  private static final byte OBJECT = 7;
  private static final byte ARRAY = 8;
  private static final byte COLUMN = 9;
  private static final byte BIG_INTEGER = 10;
  private static final byte DECIMAL = 11;
  private static final byte FLOAT = 12;

  /** First bytes of {@link #bytes}: never the start of JSON text. */
  private static final byte[] MAGIC = {0, 'V', 'Z', 'T'};

  private TreeCodec() {}

  /** The tree as bytes, with a leading marker that tells them from JSON text ({@link #isTree}). */
  public static byte[] bytes(JsonNode node) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.DataOutputStream data =
          new java.io.DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
      data.write(MAGIC);
      write(data, node);
      data.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** True when {@code bytes} were made by {@link #bytes} (not JSON text). */
  public static boolean isTree(byte[] bytes) {
    return bytes.length >= MAGIC.length
        && bytes[0] == MAGIC[0]
        && bytes[1] == MAGIC[1]
        && bytes[2] == MAGIC[2]
        && bytes[3] == MAGIC[3];
  }

  /** Reads what {@link #bytes} made. */
  public static JsonNode fromBytes(byte[] bytes) {
    try {
      java.io.DataInputStream in =
          new java.io.DataInputStream(
              new java.io.ByteArrayInputStream(bytes, MAGIC.length, bytes.length - MAGIC.length));
      return read(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static void write(DataOutput out, JsonNode node) throws IOException {
    if (node instanceof CompactArrayNode a && a.primitive()) {
      out.writeByte(COLUMN);
      a.column().writePrimitive(out);
      return;
    }
    switch (node.getNodeType()) {
      case OBJECT -> {
        out.writeByte(OBJECT);
        out.writeInt(node.size());
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          writeString(out, e.getKey());
          write(out, e.getValue());
        }
      }
      case ARRAY -> {
        out.writeByte(ARRAY);
        out.writeInt(node.size());
        for (JsonNode c : node) {
          write(out, c);
        }
      }
      case STRING -> {
        out.writeByte(TEXT);
        writeString(out, node.textValue());
      }
      case BOOLEAN -> out.writeByte(node.booleanValue() ? TRUE : FALSE);
      case NUMBER -> writeNumber(out, node);
      case NULL -> out.writeByte(NULL);
      default -> {
        // binary, POJO or missing nodes never appear in task state; keep them as their text
        out.writeByte(TEXT);
        writeString(out, node.asText());
      }
    }
  }

  private static void writeNumber(DataOutput out, JsonNode node) throws IOException {
    switch (node.numberType()) {
      case INT -> {
        out.writeByte(INT);
        out.writeInt(node.intValue());
      }
      case LONG -> {
        out.writeByte(LONG);
        out.writeLong(node.longValue());
      }
      case DOUBLE -> {
        out.writeByte(DOUBLE);
        out.writeDouble(node.doubleValue());
      }
      case FLOAT -> {
        out.writeByte(FLOAT);
        out.writeFloat(node.floatValue());
      }
      case BIG_INTEGER -> {
        out.writeByte(BIG_INTEGER);
        writeString(out, node.bigIntegerValue().toString());
      }
      default -> {
        out.writeByte(DECIMAL);
        writeString(out, node.decimalValue().toString());
      }
    }
  }

  public static JsonNode read(DataInput in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case NULL -> Json.NODES.nullNode();
      case FALSE -> Json.NODES.booleanNode(false);
      case TRUE -> Json.NODES.booleanNode(true);
      case INT -> Json.NODES.numberNode(in.readInt());
      case LONG -> Json.NODES.numberNode(in.readLong());
      case DOUBLE -> Json.NODES.numberNode(in.readDouble());
      case FLOAT -> Json.NODES.numberNode(in.readFloat());
      case BIG_INTEGER -> Json.NODES.numberNode(new BigInteger(readString(in)));
      case DECIMAL -> Json.NODES.numberNode(new BigDecimal(readString(in)));
      case TEXT -> Json.NODES.textNode(readString(in));
      case COLUMN -> CompactArrayNode.of(Json.NODES, NumberColumn.readPrimitive(in));
      case OBJECT -> {
        ObjectNode o = Json.object();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          String key = readString(in);
          o.set(key, read(in));
        }
        yield o;
      }
      case ARRAY -> {
        ArrayNode a = Json.NODES.arrayNode();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          a.add(read(in));
        }
        yield a;
      }
      default -> throw new IOException("bad tree tag " + tag);
    };
  }

  private static void writeString(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInput in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
