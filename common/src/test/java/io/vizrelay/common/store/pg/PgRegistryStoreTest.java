package io.vizrelay.common.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vizrelay.common.cluster.ClusterConfig;
import io.vizrelay.common.cluster.HazelcastSetup;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.model.TaskRecord;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import io.vizrelay.common.registry.TaskOwner;
import io.vizrelay.common.registry.grid.GridTask;
import io.vizrelay.common.registry.grid.RegistryGrid;
import io.vizrelay.common.registry.grid.RegistryProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The grid registry written through to a real PostgreSQL, and loaded back after a full restart. */
class PgRegistryStoreTest {
  private final List<TestGrid> grids = new ArrayList<>();
  private final List<PgTier> tiers = new ArrayList<>();

  @AfterEach
  void close() {
    grids.forEach(TestGrid::close);
    tiers.forEach(PgTier::close);
  }

  /** A grid of {@code n} plain members with the PostgreSQL tier on {@code url}. */
  private TestGrid grid(int n, String url) throws Exception {
    TestGrid grid = new TestGrid(n);
    grids.add(grid);
    for (int i = 0; i < n; i++) {
      Config config = HazelcastSetup.config(ClusterConfig.fromEnv(grid.env(i)));
      tiers.add(
          PgTier.attach(
              config,
              PgConfig.fromEnv(Map.of("VIZRELAY_PG_URL", url, "VIZRELAY_PG_POOL_SIZE", "2")),
              VizConfig.defaults()));
      HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
      grid.members.add(member);
      TestGrid.awaitSize(member, i + 1);
    }
    return grid;
  }

  private static TaskRecord apply(IMap<String, GridTask> map, String task, RegistryOp op) {
    return map.executeOnKey(task, new RegistryProcessor(op)).change().after();
  }

  @Test
  void everyTaskOutlivesAFullClusterRestart() throws Exception {
    String url = TestPostgres.shared().newDatabase();
    TestGrid first = grid(2, url);
    IMap<String, GridTask> map = first.members.get(0).getMap(RegistryGrid.MAP);
    long now = System.currentTimeMillis();
    List<TaskRecord> written = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String task = "alice.t" + i;
      apply(
          map,
          task,
          new RegistryOp.Register(
              new Registration(
                  task,
                  new TaskOwner("alice", "proj"),
                  TaskKind.TRAIN,
                  1234L,
                  "gpu-1",
                  JsonNodeFactory.instance.objectNode().put("lr", 0.1 * i)),
              now,
              true,
              1000));
      apply(map, task, new RegistryOp.Share(List.of("bob", "carol")));
      written.add(apply(map, task, new RegistryOp.Stop()));
    }
    apply(map, "alice.t19", new RegistryOp.Delete());
    written.remove(19);
    first.close();
    grids.remove(first);

    TestGrid second = grid(2, url);
    IMap<String, GridTask> again = second.members.get(1).getMap(RegistryGrid.MAP);
    assertEquals(19, again.size(), "every registered task is back, the deleted one is not");
    for (TaskRecord before : written) {
      TaskRecord after = again.get(before.taskId()).record();
      assertEquals(before, after);
      assertTrue(after.stopRequested());
      assertEquals(List.of("bob", "carol"), after.sharedWith());
      assertEquals(TaskStatus.RUNNING, after.status());
    }
    assertEquals(
        19, again.values(RegistryGrid.sharedWith("bob")).size(), "queries see the loaded tasks");
    assertEquals(19, again.keySet(RegistryGrid.ownedBy("alice")).size());
  }

  @Test
  void aWriteThatPostgresRefusesChangesNothing() throws Exception {
    TestPostgres pg = TestPostgres.shared();
    String url = pg.newDatabase();
    TestGrid grid = grid(1, url);
    IMap<String, GridTask> map = grid.members.get(0).getMap(RegistryGrid.MAP);
    String task = "alice.down";
    apply(
        map,
        task,
        new RegistryOp.Register(
            new Registration(task, new TaskOwner("alice", null), TaskKind.TRAIN, null, null, null),
            System.currentTimeMillis(),
            true,
            1000));
    pg.stop();
    try {
      assertThrows(
          RuntimeException.class, () -> apply(map, task, new RegistryOp.Share(List.of("bob"))));
      assertEquals(List.of(), map.get(task).record().sharedWith(), "the grid entry is as before");
    } finally {
      pg.start();
    }
    assertEquals(
        List.of("bob"),
        apply(map, task, new RegistryOp.Share(List.of("bob"))).sharedWith(),
        "works again once PostgreSQL is back");
  }
}
