package io.vizrelay.common.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.PartitionGroupConfig.MemberGroupType;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** VIZRELAY_HZ_PARTITION_GROUP: node- or zone-aware backups from the pod's Kubernetes topology. */
class PartitionGroupTest {

  @Test
  void offByDefault() {
    Config hz = HazelcastSetup.config(ClusterConfig.fromEnv(Map.of()));
    assertFalse(hz.getPartitionGroupConfig().isEnabled());
  }

  @Test
  void nodeAndZoneTagTheMemberWithItsGroup() {
    Config node =
        HazelcastSetup.config(
            ClusterConfig.fromEnv(
                Map.of(
                    "VIZRELAY_HZ_PARTITION_GROUP", "node", "VIZRELAY_HZ_NODE_NAME", "worker-1")));
    assertTrue(node.getPartitionGroupConfig().isEnabled());
    assertEquals(MemberGroupType.NODE_AWARE, node.getPartitionGroupConfig().getGroupType());
    assertEquals(
        "worker-1",
        node.getMemberAttributeConfig().getAttribute(PartitionGroupMetaData.PARTITION_GROUP_NODE));
    Config zone =
        HazelcastSetup.config(
            ClusterConfig.fromEnv(
                Map.of("VIZRELAY_HZ_PARTITION_GROUP", "zone", "VIZRELAY_HZ_ZONE", "eu-west-1a")));
    assertEquals(MemberGroupType.ZONE_AWARE, zone.getPartitionGroupConfig().getGroupType());
    assertEquals(
        "eu-west-1a",
        zone.getMemberAttributeConfig().getAttribute(PartitionGroupMetaData.PARTITION_GROUP_ZONE));
  }

  @Test
  void aGroupTypeWithoutItsGroupIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_HZ_PARTITION_GROUP", "node")));
    assertTrue(e.getMessage().contains("VIZRELAY_HZ_NODE_NAME"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_HZ_PARTITION_GROUP", "zone")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_HZ_PARTITION_GROUP", "rack")));
  }

  @Test
  void losingAWholeNodeLosesNoEntry() throws Exception {
    try (TestGrid grid = new TestGrid(3)) {
      HazelcastInstance a1 = start(grid, 0, "node-a");
      HazelcastInstance a2 = start(grid, 1, "node-a");
      HazelcastInstance b = start(grid, 2, "node-b");
      TestGrid.awaitSize(b, 3);
      // one synchronous backup (Hazelcast's default for a map, as for the task states)
      var map = a1.<Integer, Integer>getMap("vizrelay.pg-test");
      for (int i = 0; i < 200; i++) {
        map.put(i, i);
      }
      // node-a fails as a whole: with node-aware groups every backup of its primaries is on node-b
      a1.getLifecycleService().terminate();
      a2.getLifecycleService().terminate();
      TestGrid.awaitSize(b, 1);
      assertEquals(200, b.getMap("vizrelay.pg-test").size(), "entries lost with node-a");
    }
  }

  private static HazelcastInstance start(TestGrid grid, int index, String node) {
    Map<String, String> env = new LinkedHashMap<>(grid.env(index));
    env.put("VIZRELAY_HZ_PARTITION_GROUP", "node");
    env.put("VIZRELAY_HZ_NODE_NAME", node);
    HazelcastInstance hz =
        Hazelcast.newHazelcastInstance(HazelcastSetup.config(ClusterConfig.fromEnv(env)));
    grid.members.add(hz);
    return hz;
  }
}
