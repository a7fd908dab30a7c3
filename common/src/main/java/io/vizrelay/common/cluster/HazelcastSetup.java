package io.vizrelay.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vizrelay.common.registry.grid.RegistryGrid;
import io.vizrelay.common.store.cluster.ClusterTaskStore;

/**
 * The Hazelcast configuration of a node, built from {@link ClusterConfig}: Vert.x's required maps
 * plus the task-state and registry maps, join (TCP members or Kubernetes DNS), failure detection
 * and the optional split-brain protection. The one place a member's Hazelcast settings are made,
 * for the nodes and for test grids alike.
 */
public final class HazelcastSetup {
  /** Split-brain protection of the task states ({@code VIZRELAY_HZ_MIN_CLUSTER_SIZE}). */
  static final String QUORUM = "vizrelay-quorum";

  private HazelcastSetup() {}

  /**
   * The Hazelcast configuration of a node: Vert.x's required maps plus ours, join and failure
   * detection.
   */
  public static Config config(ClusterConfig c) {
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(c.clusterName());
    cfg.setProperty("hazelcast.logging.type", "slf4j");
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Integer.toString(c.maxNoHeartbeatSeconds()));
    cfg.setProperty(
        "hazelcast.heartbeat.interval.seconds", Integer.toString(c.heartbeatIntervalSeconds()));
    cfg.setProperty("hazelcast.wait.seconds.before.join", Integer.toString(c.joinWaitSeconds()));
    cfg.setProperty(
        "hazelcast.merge.first.run.delay.seconds", Integer.toString(c.mergeDelaySeconds()));
    cfg.setProperty(
        "hazelcast.merge.next.run.delay.seconds", Integer.toString(c.mergeDelaySeconds()));
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(c.hzPort()).setPortAutoIncrement(c.hzPortAutoIncrement());
    if (c.hzInterface() != null) {
      net.getInterfaces().setEnabled(true).addInterface(c.hzInterface());
    }
    join(net.getJoin(), c);
    ClusterTaskStore.configure(cfg, c.backupCount());
    RegistryGrid.configure(cfg, c.backupCount());
    if (c.minClusterSize() > 1) {
      cfg.addSplitBrainProtectionConfig(
          new SplitBrainProtectionConfig(QUORUM, true, c.minClusterSize()));
      cfg.getMapConfig(ClusterTaskStore.MAP).setSplitBrainProtectionName(QUORUM);
      cfg.getMapConfig(RegistryGrid.MAP).setSplitBrainProtectionName(QUORUM);
    }
    c.partitionGroup().apply(cfg);
    return cfg;
  }

  private static void join(JoinConfig join, ClusterConfig c) {
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (c.join() == ClusterConfig.Join.TCP) {
      join.getTcpIpConfig().setEnabled(true);
      c.members().forEach(join.getTcpIpConfig()::addMember);
    } else {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", c.k8sServiceDns())
          .setProperty("service-dns-timeout", "5")
          .setProperty("service-port", Integer.toString(c.k8sServicePort()));
    }
  }
}
