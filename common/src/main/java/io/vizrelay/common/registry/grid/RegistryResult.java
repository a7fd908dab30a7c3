package io.vizrelay.common.registry.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.registry.Change;
import java.io.IOException;

/** What a {@link RegistryProcessor} did to one task: the change, or why the op was refused. */
public final class RegistryResult implements DataSerializable {
  private byte[] before;
  private byte[] after;
  private String errorCode;
  private String errorMessage;

  public RegistryResult() {}

  static RegistryResult changed(TaskRecord before, TaskRecord after) {
    RegistryResult r = new RegistryResult();
    r.before = before == null ? null : Json.bytes(before);
    r.after = after == null ? null : Json.bytes(after);
    return r;
  }

  static RegistryResult refused(ApiException e) {
    RegistryResult r = new RegistryResult();
    r.errorCode = e.code().name();
    r.errorMessage = e.getMessage();
    return r;
  }

  /** The change; throws the refusal as the {@link ApiException} the op raised. */
  public Change change() {
    if (errorCode != null) {
      throw new ApiException(ErrorCode.valueOf(errorCode), errorMessage);
    }
    return new Change(
        before == null ? null : Json.read(before, TaskRecord.class),
        after == null ? null : Json.read(after, TaskRecord.class));
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByteArray(before);
    out.writeByteArray(after);
    out.writeString(errorCode);
    out.writeString(errorMessage);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    before = in.readByteArray();
    after = in.readByteArray();
    errorCode = in.readString();
    errorMessage = in.readString();
  }
}
