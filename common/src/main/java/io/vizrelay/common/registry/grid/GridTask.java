package io.vizrelay.common.registry.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskRecord;
import java.io.IOException;

/**
 * One task of the grid registry ({@link RegistryGrid#MAP}): the record as JSON plus the fields the
 * registry queries by (owner, shared-with users, status, last seen), which Hazelcast reads through
 * the getters without decoding the record.
 */
public final class GridTask implements DataSerializable {
  private String userId;
  private String[] sharedWith;
  private String status;
  private long lastSeenAt;
  private byte[] record;

  public GridTask() {}

  private GridTask(TaskRecord task) {
    this.userId = task.userId();
    this.sharedWith = task.sharedWith().toArray(String[]::new);
    this.status = task.status().wire();
    this.lastSeenAt = task.lastSeenAt();
    this.record = Json.bytes(task);
  }

  public static GridTask of(TaskRecord task) {
    return new GridTask(task);
  }

  public TaskRecord record() {
    return Json.read(record, TaskRecord.class);
  }

  public String getUserId() {
    return userId;
  }

  public String[] getSharedWith() {
    return sharedWith;
  }

  public String getStatus() {
    return status;
  }

  public long getLastSeenAt() {
    return lastSeenAt;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(userId);
    out.writeStringArray(sharedWith);
    out.writeString(status);
    out.writeLong(lastSeenAt);
    out.writeByteArray(record);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    userId = in.readString();
    sharedWith = in.readStringArray();
    status = in.readString();
    lastSeenAt = in.readLong();
    record = in.readByteArray();
  }
}
