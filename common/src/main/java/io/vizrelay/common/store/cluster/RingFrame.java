package io.vizrelay.common.store.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.store.Delta;
import java.io.IOException;

/** One numbered, serialized frame as the grid keeps it (in a task's ring, or on the wire). */
record RingFrame(long seq, String env, byte[] visdom, byte[] compact, long atMs) {

  static RingFrame of(Delta d, long atMs) {
    return new RingFrame(
        d.seq(),
        d.env(),
        d.visdom().getBytes(),
        d.compact() == null ? null : d.compact().getBytes(),
        atMs);
  }

  Delta toDelta(String taskId, String epoch) {
    return new Delta(
        taskId,
        epoch,
        seq,
        env,
        Buffer.buffer(visdom),
        compact == null ? null : Buffer.buffer(compact));
  }

  void write(ObjectDataOutput out) throws IOException {
    out.writeLong(seq);
    out.writeString(env);
    out.writeByteArray(visdom);
    out.writeByteArray(compact);
    out.writeLong(atMs);
  }

  static RingFrame read(ObjectDataInput in) throws IOException {
    return new RingFrame(
        in.readLong(), in.readString(), in.readByteArray(), in.readByteArray(), in.readLong());
  }
}
