package io.vizrelay.common.cluster;

import com.hazelcast.core.LifecycleEvent;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.pg.PgConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of every service's {@code main}: configuration from the environment, start of one {@link
 * ClusterNode} (with PostgreSQL behind its grid when {@code VIZRELAY_PG_URL} is set, bounded by
 * {@link #START_MINUTES}), a SIGTERM hook that drains within {@code
 * VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS} or halts, and the exit after a split-brain merge ({@code
 * VIZRELAY_EXIT_AFTER_MERGE}).
 */
public final class ServiceProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);

  /** How long a node may take to join the cluster and start before the process halts. */
  static final int START_MINUTES = 5;

  private ServiceProcess() {}

  public static void run(String name, List<ClusterNode.Service> services) {
    VizConfig config;
    ClusterConfig cluster;
    PgConfig pg;
    HotConfig hot;
    try {
      config = VizConfig.fromEnv();
      cluster = ClusterConfig.fromEnv();
      pg = PgConfig.fromEnv(System.getenv());
      hot = HotConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("vizrelay-" + name + ": invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    ClusterNode node;
    try {
      node =
          ClusterNode.start(config, cluster, pg, hot, services)
              .await(START_MINUTES, TimeUnit.MINUTES);
    } catch (Throwable e) {
      LOG.error("vizrelay-{} failed to start", name, e);
      Runtime.getRuntime().halt(1);
      return;
    }
    LOG.info(
        "vizrelay-{} listening on http://{}:{} (event loops {}, cluster {}, node {})",
        name,
        config.host(),
        node.port(),
        config.eventLoops(),
        cluster.clusterName(),
        node.nodeId());
    if (cluster.exitAfterMerge()) {
      exitAfterMerge(name, node);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("vizrelay-{} stopping", name);
                  if (!node.stopBlocking()) {
                    Runtime.getRuntime().halt(0);
                  }
                },
                "vizrelay-shutdown"));
  }

  private static void exitAfterMerge(String name, ClusterNode node) {
    node.hazelcast()
        .getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                LOG.error(
                    "vizrelay-{}: this node was split from the cluster and merged back; exiting to restart clean",
                    name);
                new Thread(
                        () -> {
                          node.stopBlocking();
                          Runtime.getRuntime().halt(3);
                        },
                        "vizrelay-merged")
                    .start();
              }
            });
  }
}
