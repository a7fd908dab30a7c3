package io.vizrelay.common.store.pg;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapStoreConfig;
import io.vizrelay.common.registry.grid.RegistryGrid;

/**
 * Puts PostgreSQL behind a member's grid maps: the registry written through
 * ({@link PgRegistryStore}). One per node; attached to the Hazelcast config before the member
 * starts, so the member loads from and writes to PostgreSQL from its first operation.
 */
public final class PgTier implements AutoCloseable {
  private final PgDatabase db;

  private PgTier(PgDatabase db) {
    this.db = db;
  }

  /** Opens the database (migrating it) and attaches the map stores to {@code hazelcast}; null config = off. */
  public static PgTier attach(Config hazelcast, PgConfig config) {
    if (config == null) {
      return null;
    }
    PgTier tier = new PgTier(PgDatabase.open(config));
    tier.configure(hazelcast);
    return tier;
  }

  private void configure(Config hazelcast) {
    hazelcast.getMapConfig(RegistryGrid.MAP).setMapStoreConfig(new MapStoreConfig()
        .setEnabled(true)
        .setImplementation(new PgRegistryStore(db))
        .setWriteDelaySeconds(0)
        .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER));
  }

  public PgDatabase database() {
    return db;
  }

  @Override
  public void close() {
    db.close();
  }
}
