package io.vizrelay.common.registry.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.registry.RegistryOp;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Applies one {@link RegistryOp} to one task of the grid registry, on the task's partition owner,
 * serially with every other op of that task. The op is deterministic (its clock and room check are
 * fields), so Hazelcast's default backup processor, this same processor, brings the synchronous
 * backup to the very same task. A refused op changes nothing and comes back as a refusal, never as
 * an exception thrown on a partition thread.
 */
public final class RegistryProcessor
    implements EntryProcessor<String, GridTask, RegistryResult>, DataSerializable {
  private byte[] op;

  public RegistryProcessor() {}

  public RegistryProcessor(RegistryOp op) {
    this.op = Json.bytes(op);
  }

  @Override
  public RegistryResult process(Map.Entry<String, GridTask> entry) {
    TaskRecord before = entry.getValue() == null ? null : entry.getValue().record();
    TaskRecord after;
    try {
      after = Json.read(op, RegistryOp.class).apply(entry.getKey(), before);
    } catch (ApiException e) {
      return RegistryResult.refused(e);
    }
    if (!Objects.equals(before, after)) {
      entry.setValue(after == null ? null : GridTask.of(after));
    }
    return RegistryResult.changed(before, after);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByteArray(op);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    op = in.readByteArray();
  }
}
