package io.vizrelay.common.store.pg;

import com.hazelcast.map.MapStore;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.registry.grid.GridTask;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid registry ({@code vizrelay.registry}) written through to PostgreSQL's {@code registry}
 * table: every change an op makes to a task's record (meta, status, stop request, shared_with, seq,
 * epoch, ...) is committed before the op returns, and the whole registry is loaded into the grid
 * when the map is first used after a full-cluster restart ({@link #loadAllKeys}), so listings and
 * queries see every task. Hazelcast calls this on its partition and map-store threads, never on an
 * event loop; a failed write fails the op (the caller answers 503) and leaves the grid entry as it
 * was.
 */
public final class PgRegistryStore implements MapStore<String, GridTask> {
  private final PgDatabase db;

  public PgRegistryStore(PgDatabase db) {
    this.db = db;
  }

  @Override
  public void store(String taskId, GridTask task) {
    storeAll(Map.of(taskId, task));
  }

  @Override
  public void storeAll(Map<String, GridTask> tasks) {
    try (Connection c = db.connection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO registry(task_id, record, updated_at) VALUES (?, ?, now())"
                    + " ON CONFLICT (task_id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()")) {
      for (Map.Entry<String, GridTask> e : tasks.entrySet()) {
        s.setString(1, e.getKey());
        s.setBytes(2, Json.bytes(e.getValue().record()));
        s.addBatch();
      }
      s.executeBatch();
    } catch (SQLException e) {
      throw new PgUnavailableException("registry write", e);
    }
  }

  @Override
  public void delete(String taskId) {
    deleteAll(List.of(taskId));
  }

  @Override
  public void deleteAll(Collection<String> taskIds) {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("DELETE FROM registry WHERE task_id = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", taskIds.toArray()));
      s.executeUpdate();
    } catch (SQLException e) {
      throw new PgUnavailableException("registry delete", e);
    }
  }

  @Override
  public GridTask load(String taskId) {
    return loadAll(List.of(taskId)).get(taskId);
  }

  @Override
  public Map<String, GridTask> loadAll(Collection<String> taskIds) {
    Map<String, GridTask> out = new HashMap<>();
    try (Connection c = db.connection();
        PreparedStatement s =
            c.prepareStatement("SELECT task_id, record FROM registry WHERE task_id = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", taskIds.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), GridTask.of(Json.read(r.getBytes(2), TaskRecord.class)));
        }
      }
    } catch (SQLException e) {
      throw new PgUnavailableException("registry read", e);
    }
    return out;
  }

  @Override
  public Iterable<String> loadAllKeys() {
    List<String> ids = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT task_id FROM registry");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    } catch (SQLException e) {
      throw new PgUnavailableException("registry key load", e);
    }
    return ids;
  }
}
