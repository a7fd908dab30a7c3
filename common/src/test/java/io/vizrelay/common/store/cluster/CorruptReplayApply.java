package io.vizrelay.common.store.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A fault injected for tests: applies a command on the primary exactly as {@link Processors.Apply}
 * does, but hands the backup a {@link Processors.Replay} of frames it cannot apply (their visdom
 * message is not JSON), as a replay bug would.
 */
public final class CorruptReplayApply
    implements EntryProcessor<String, StoredTask, Results.Apply>, DataSerializable {
  private Processors.Apply apply;
  private transient Processors.Replay<Results.Apply> backup;

  public CorruptReplayApply() {}

  CorruptReplayApply(Processors.Apply apply) {
    this.apply = apply;
  }

  @Override
  public Results.Apply process(Map.Entry<String, StoredTask> entry) {
    Results.Apply result = apply.process(entry);
    List<RingFrame> corrupt =
        result.frames.stream()
            .map(
                f ->
                    new RingFrame(
                        f.seq(),
                        f.env(),
                        "{broken".getBytes(StandardCharsets.UTF_8),
                        f.compact(),
                        f.atMs()))
            .toList();
    backup = new Processors.Replay<>(result.epoch, null, null, corrupt, Retention.of(1000, 0));
    return result;
  }

  @Override
  public EntryProcessor<String, StoredTask, Results.Apply> getBackupProcessor() {
    return backup;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    apply.writeData(out);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    apply = new Processors.Apply();
    apply.readData(in);
  }
}
