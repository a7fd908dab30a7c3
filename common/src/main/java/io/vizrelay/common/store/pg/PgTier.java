package io.vizrelay.common.store.pg;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapStoreConfig;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.registry.grid.RegistryGrid;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import io.vizrelay.common.store.cluster.GridEviction;
import io.vizrelay.common.store.cluster.GridResidency;
import io.vizrelay.common.store.cluster.TaskMapStore;

/**
 * Puts PostgreSQL behind a member's grid maps: the registry written through ({@link
 * PgRegistryStore}, loaded whole at start) and the task states ({@link TaskMapStore}: frames and
 * snapshots committed before an operation completes, tasks loaded back on access). One per node;
 * attached to the Hazelcast config before the member starts.
 */
public final class PgTier implements AutoCloseable {
  private final PgDatabase db;
  private final PgStreamWriter writer;
  private final GridResidency residency = new GridResidency();

  private PgTier(PgDatabase db) {
    this.db = db;
    // an in-doubt commit is settled (or given up) before the grid operation waiting on it times out
    this.writer = new PgStreamWriter(db, 1000L * (db.config().connectTimeoutSeconds() + 20));
  }

  /**
   * Opens the database (migrating it) and attaches the map stores to {@code hazelcast}; null config
   * = off.
   */
  public static PgTier attach(Config hazelcast, PgConfig config, VizConfig viz) {
    return attach(hazelcast, config, viz, null);
  }

  /**
   * As above; with {@code hot} not null, idle unwatched tasks, and past {@code
   * VIZRELAY_HOT_MAX_BYTES} the least recently used unwatched ones, are evicted from the grid by
   * its rules and loaded back from PostgreSQL on access.
   */
  public static PgTier attach(Config hazelcast, PgConfig config, VizConfig viz, HotConfig hot) {
    if (config == null) {
      return null;
    }
    PgTier tier = new PgTier(PgDatabase.open(config));
    tier.configure(hazelcast, viz, hot);
    return tier;
  }

  private void configure(Config hazelcast, VizConfig viz, HotConfig hot) {
    if (hot != null) {
      GridEviction.configure(hazelcast, hot);
    }
    PgConfig config = db.config();
    hazelcast
        .getMapConfig(RegistryGrid.MAP)
        .setMapStoreConfig(
            new MapStoreConfig()
                .setEnabled(true)
                .setImplementation(new PgRegistryStore(db))
                .setWriteDelaySeconds(0)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER));
    long writeTimeoutMs = 1000L * (config.connectTimeoutSeconds() + 30);
    hazelcast
        .getMapConfig(ClusterTaskStore.MAP)
        .setMapStoreConfig(
            new MapStoreConfig()
                .setEnabled(true)
                .setImplementation(
                    new TaskMapStore(
                        writer,
                        new PgStreams(db),
                        viz,
                        config.snapshotFrames(),
                        writeTimeoutMs,
                        config.commit() == PgConfig.Commit.ASYNC
                            ? 1000L * config.maxLagSeconds()
                            : 0,
                        hot,
                        residency))
                .setWriteDelaySeconds(0)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.LAZY));
  }

  /**
   * {@code vizrelay_pg_lag_seconds}: how long the oldest write of this member not yet committed in
   * PostgreSQL has waited (0 when none).
   */
  public double lagSeconds() {
    return writer.lagMillis() / 1000.0;
  }

  /**
   * This member's share of the task map (hot tasks and bytes, loads, evictions) for the hot-state
   * meters.
   */
  public GridResidency residency() {
    return residency;
  }

  public PgDatabase database() {
    return db;
  }

  /**
   * Null while the last commit succeeded, else why PostgreSQL does not take writes (for {@code
   * /readiness}).
   */
  public String health() {
    return writer.health();
  }

  /**
   * The {@code postgresql} procedure of {@code /readiness}: DOWN with the reason while commits
   * fail. Never blocks.
   */
  public void healthCheck(Promise<Status> status) {
    String why = health();
    status.complete(why == null ? Status.OK() : Status.KO(new JsonObject().put("reason", why)));
  }

  /** Closes {@code tier} unless it is null (no PostgreSQL tier). */
  public static void closeIfAny(PgTier tier) {
    if (tier != null) {
      tier.close();
    }
  }

  @Override
  public void close() {
    writer.close();
    db.close();
  }
}
