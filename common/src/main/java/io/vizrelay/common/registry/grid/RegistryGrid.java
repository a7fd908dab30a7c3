package io.vizrelay.common.registry.grid;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.MapConfig;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.vizrelay.common.model.TaskStatus;

/**
 * The grid registry's map: one {@link GridTask} per task id, in-memory format OBJECT (queries and
 * entry processors read it without deserializing), synchronous backups, hash indexes on the owner
 * and on the users a task is shared with. The same map on every member, whatever service it runs,
 * since any member may own a partition of it.
 */
public final class RegistryGrid {
  /** The grid map of task records. */
  public static final String MAP = "vizrelay.registry";

  private RegistryGrid() {}

  /** Adds the map's configuration to a Hazelcast config. */
  public static MapConfig configure(Config config, int backups) {
    MapConfig map =
        new MapConfig(MAP)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setBackupCount(backups)
            .setAsyncBackupCount(0)
            .setReadBackupData(false)
            .addIndexConfig(new IndexConfig(IndexType.HASH, "userId"))
            .addIndexConfig(new IndexConfig(IndexType.HASH, "sharedWith[any]"));
    config.addMapConfig(map);
    return map;
  }

  /** The tasks {@code userId} owns. */
  public static Predicate<String, GridTask> ownedBy(String userId) {
    return Predicates.equal("userId", userId);
  }

  /** The tasks shared with {@code userId}. */
  public static Predicate<String, GridTask> sharedWith(String userId) {
    return Predicates.equal("sharedWith[any]", userId);
  }

  /** Running tasks last seen before {@code cutoff}: the candidates of lost detection. */
  public static Predicate<String, GridTask> silentSince(long cutoff) {
    return Predicates.and(
        Predicates.equal("status", TaskStatus.RUNNING.wire()),
        Predicates.lessThan("lastSeenAt", cutoff));
  }
}
