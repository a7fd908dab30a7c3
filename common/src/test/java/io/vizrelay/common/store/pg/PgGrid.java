package io.vizrelay.common.store.pg;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vizrelay.common.cluster.ClusterConfig;
import io.vizrelay.common.cluster.HazelcastSetup;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Hazelcast cluster of {@code n} members in this JVM with the PostgreSQL tier attached to
 * each, as a service process attaches it (tests): one place for the set-up the PostgreSQL tests
 * share. Closing it stops the members first, then the tiers' pools.
 */
public final class PgGrid implements AutoCloseable {
  public final TestGrid grid;
  private final List<PgTier> tiers = new ArrayList<>();

  private PgGrid(TestGrid grid) {
    this.grid = grid;
  }

  /**
   * Starts {@code n} members, each with a tier configured by {@code pgEnv} ({@code VIZRELAY_PG_*},
   * the URL included) and {@code viz}; {@code hot} not null turns on the grid's eviction.
   */
  public static PgGrid start(int n, Map<String, String> pgEnv, VizConfig viz, HotConfig hot)
      throws Exception {
    PgGrid pg = new PgGrid(new TestGrid(n));
    try {
      for (int i = 0; i < n; i++) {
        Config hz = HazelcastSetup.config(ClusterConfig.fromEnv(pg.grid.env(i)));
        pg.tiers.add(PgTier.attach(hz, PgConfig.fromEnv(pgEnv), viz, hot));
        HazelcastInstance member = Hazelcast.newHazelcastInstance(hz);
        pg.grid.members.add(member);
        TestGrid.awaitSize(member, i + 1);
      }
      return pg;
    } catch (Exception | Error e) {
      pg.close();
      throw e;
    }
  }

  /** A task store on the first member. */
  public ClusterTaskStore store(Vertx vertx, VizConfig viz) {
    return new ClusterTaskStore(vertx, grid.members.get(0), viz);
  }

  /** The members' tiers, in member order. */
  public List<PgTier> tiers() {
    return tiers;
  }

  public List<HazelcastInstance> members() {
    return grid.members;
  }

  @Override
  public void close() {
    try {
      grid.close();
    } finally {
      tiers.forEach(PgTier::close);
    }
  }
}
