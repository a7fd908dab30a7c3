package io.vizrelay.common.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cluster configuration from the environment, and the Hazelcast config it makes (no network). */
class ClusterConfigTest {

  @Test
  void defaultsAreLocalTcpWithTunedFailureDetection() {
    ClusterConfig c = ClusterConfig.fromEnv(Map.of());
    assertEquals(ClusterConfig.Join.TCP, c.join());
    assertEquals(List.of("127.0.0.1:5701"), c.members());
    assertEquals(10, c.maxNoHeartbeatSeconds());
    assertEquals(
        0, c.drainDelaySeconds(), "no drain delay unless asked (k8s: the preStop sleep covers it)");
    assertEquals(20, c.shutdownTimeoutSeconds());
    assertEquals(
        5, ClusterConfig.fromEnv(Map.of("VIZRELAY_DRAIN_DELAY_SECONDS", "5")).drainDelaySeconds());
    Config hz = HazelcastSetup.config(c);
    assertEquals("10", hz.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("2", hz.getProperty("hazelcast.heartbeat.interval.seconds"));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertEquals(List.of("127.0.0.1:5701"), join.getTcpIpConfig().getMembers());
    assertEquals(InMemoryFormat.OBJECT, hz.getMapConfig(ClusterTaskStore.MAP).getInMemoryFormat());
    assertEquals(1, hz.getMapConfig(ClusterTaskStore.MAP).getBackupCount());
    assertEquals(0, hz.getMapConfig(ClusterTaskStore.MAP).getAsyncBackupCount());
    assertTrue(hz.getMultiMapConfigs().containsKey("__vertx.subs"), "Vert.x's own maps are kept");
  }

  @Test
  void kubernetesJoinUsesTheHeadlessServiceDns() {
    ClusterConfig c =
        ClusterConfig.fromEnv(
            Map.of(
                "VIZRELAY_CLUSTER_JOIN",
                "kubernetes",
                "VIZRELAY_K8S_SERVICE_DNS",
                "vizrelay-hz.ns.svc.cluster.local",
                "VIZRELAY_HZ_MIN_CLUSTER_SIZE",
                "2"));
    JoinConfig join = HazelcastSetup.config(c).getNetworkConfig().getJoin();
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals(
        "vizrelay-hz.ns.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals(
        HazelcastSetup.QUORUM,
        HazelcastSetup.config(c).getMapConfig(ClusterTaskStore.MAP).getSplitBrainProtectionName());
  }

  @Test
  void badValuesAreRefusedWithTheirVariable() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    ClusterConfig.fromEnv(
                        Map.of("VIZRELAY_CLUSTER_MEMBERS", "127.0.0.1:5701-5703")))
            .getMessage()
            .contains("no ranges"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_CLUSTER_JOIN", "kubernetes")))
            .getMessage()
            .contains("VIZRELAY_K8S_SERVICE_DNS"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS", "x")))
            .getMessage()
            .contains("VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_CLUSTER_JOIN", "multicast")))
            .getMessage()
            .contains("VIZRELAY_CLUSTER_JOIN"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> ClusterConfig.fromEnv(Map.of("VIZRELAY_DRAIN_DELAY_SECONDS", "-1")))
            .getMessage()
            .contains("VIZRELAY_DRAIN_DELAY_SECONDS"));
  }
}
