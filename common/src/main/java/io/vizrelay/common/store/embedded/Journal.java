package io.vizrelay.common.store.embedded;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The log's redo journal, {@code <dataDir>/vizrelay.journal}: the writes the log acknowledged and
 * has not yet committed to SQLite, appended with one {@code write} per group (and one {@code
 * fdatasync} with {@code VIZRELAY_FSYNC=always}). SQLite then takes them in large transactions,
 * after which the journal is emptied. A group commit thus costs one append to a file instead of a
 * SQLite transaction, whose page writes (one 4 KiB page per task touched) were most of the writer's
 * work.
 *
 * <p>Records: {@code [int length][int crc32c][payload]}; a torn or corrupt record ends the journal
 * (what follows it was never acknowledged: an append that fails is cut off again before its ops
 * fail). Replaying is idempotent: the journal holds a suffix of the log's writes in order, and each
 * write's replay sets what it set the first time.
 */
final class Journal implements AutoCloseable {
  static final String FILE = "vizrelay.journal";

  /** A write the journal keeps: encoded here, decoded by {@link LogOps#decode}. */
  interface Record {
    void encode(DataOutputStream out) throws IOException;
  }

  private final FileChannel channel;
  private final Buffer buffer = new Buffer();
  private final DataOutputStream out = new DataOutputStream(buffer);
  private final CRC32C crc = new CRC32C();
  private long size;

  private Journal(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens the journal empty; {@link #recover} first, or its records are lost. */
  static Journal open(Path dir) throws IOException {
    return new Journal(
        FileChannel.open(
            dir.resolve(FILE),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING));
  }

  /** The payloads of the journal's whole, intact records, in order (none if there is no file). */
  static List<byte[]> recover(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    List<byte[]> records = new ArrayList<>();
    if (!Files.exists(file)) {
      return records;
    }
    byte[] all = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(all);
    CRC32C check = new CRC32C();
    while (in.remaining() >= 8) {
      int length = in.getInt();
      int crc = in.getInt();
      if (length <= 0 || length > in.remaining()) {
        break;
      }
      check.reset();
      check.update(all, in.position(), length);
      if ((int) check.getValue() != crc) {
        break;
      }
      byte[] payload = new byte[length];
      in.get(payload);
      records.add(payload);
    }
    return records;
  }

  /** A reader over one recovered record's payload. */
  static DataInputStream reader(byte[] payload) {
    return new DataInputStream(new java.io.ByteArrayInputStream(payload));
  }

  /**
   * Appends the records in one write; on failure the file is cut back to what it held, so a later
   * append never follows a torn record.
   */
  void append(List<Record> records) throws IOException {
    if (records.isEmpty()) {
      return;
    }
    buffer.reset();
    for (Record r : records) {
      int start = buffer.size();
      out.writeLong(0); // length and crc, filled in below
      r.encode(out);
      int length = buffer.size() - start - 8;
      crc.reset();
      crc.update(buffer.bytes(), start + 8, length);
      buffer.putInt(start, length);
      buffer.putInt(start + 4, (int) crc.getValue());
    }
    ByteBuffer bytes = ByteBuffer.wrap(buffer.bytes(), 0, buffer.size());
    try {
      long at = size;
      while (bytes.hasRemaining()) {
        at += channel.write(bytes, at);
      }
      size = at;
    } catch (IOException e) {
      cutBack();
      throw e;
    }
  }

  private void cutBack() {
    try {
      channel.truncate(size);
    } catch (IOException ignored) {
      // the next open's recovery stops at the torn record; what follows it was never acknowledged
    }
  }

  /** Makes the appended records durable (fdatasync). */
  void force() throws IOException {
    channel.force(false);
  }

  /** Empties the journal: everything in it is committed to SQLite. */
  void clear() throws IOException {
    if (size > 0) {
      channel.truncate(0);
      size = 0;
    }
  }

  /** Bytes of records in the journal now. */
  long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** A reusable byte buffer whose array can be patched and written without a copy. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(64 * 1024);
    }

    byte[] bytes() {
      return buf;
    }

    void putInt(int at, int value) {
      buf[at] = (byte) (value >>> 24);
      buf[at + 1] = (byte) (value >>> 16);
      buf[at + 2] = (byte) (value >>> 8);
      buf[at + 3] = (byte) value;
    }
  }
}
