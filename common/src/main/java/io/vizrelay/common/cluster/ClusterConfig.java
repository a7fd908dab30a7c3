package io.vizrelay.common.cluster;

import io.vizrelay.common.config.EnvVars;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a clustered vizrelay node joins its Hazelcast cluster, read from environment variables
 * (docs/CLUSTER.md; the same keys locally, in {@code scripts/cluster.sh}, and in Kubernetes).
 *
 * @param clusterName {@code VIZRELAY_CLUSTER_NAME} (default {@code vizrelay}); unique per developer
 *     or run
 * @param join {@code VIZRELAY_CLUSTER_JOIN}: {@code tcp} (explicit member list, default) or {@code
 *     kubernetes} (DNS of a headless Service)
 * @param members {@code VIZRELAY_CLUSTER_MEMBERS}: comma-separated {@code host:port} list for tcp
 *     join (no ranges)
 * @param hzInterface {@code VIZRELAY_HZ_INTERFACE}: the interface Hazelcast binds to (default
 *     {@code 127.0.0.1} for tcp, any for kubernetes)
 * @param hzPort {@code VIZRELAY_HZ_PORT} (default 5701)
 * @param hzPortAutoIncrement {@code VIZRELAY_HZ_PORT_AUTO_INCREMENT} (default false: a member's
 *     port is the one listed)
 * @param k8sServiceDns {@code VIZRELAY_K8S_SERVICE_DNS}: the headless Service's DNS name
 *     (kubernetes join)
 * @param k8sServicePort {@code VIZRELAY_K8S_SERVICE_PORT} (default = hzPort)
 * @param eventBusHost {@code VIZRELAY_EVENTBUS_HOST} (default {@code 127.0.0.1}); in k8s the pod IP
 *     (downward API)
 * @param eventBusPort {@code VIZRELAY_EVENTBUS_PORT} (default 0: random)
 * @param eventBusPublicHost {@code VIZRELAY_EVENTBUS_PUBLIC_HOST}: address advertised to peers,
 *     when it differs from the bind host
 * @param eventBusPublicPort {@code VIZRELAY_EVENTBUS_PUBLIC_PORT} (default -1: the bound port)
 * @param maxNoHeartbeatSeconds {@code VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS} (default 10;
 *     Hazelcast's 60 is too slow)
 * @param heartbeatIntervalSeconds {@code VIZRELAY_HZ_HEARTBEAT_INTERVAL_SECONDS} (default 2)
 * @param joinWaitSeconds {@code VIZRELAY_HZ_JOIN_WAIT_SECONDS} (default 1; Hazelcast's 5 slows
 *     every start)
 * @param backupCount {@code VIZRELAY_HZ_BACKUP_COUNT}: synchronous backups of task states (default
 *     1)
 * @param shutdownTimeoutSeconds {@code VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS}: bound of a clean stop on
 *     SIGTERM before halting (default 20)
 * @param minClusterSize {@code VIZRELAY_HZ_MIN_CLUSTER_SIZE}: task-state calls fail (503) on a side
 *     of a split with fewer members (split-brain protection; default 0 = off). Set it to a majority
 *     of the members
 * @param mergeDelaySeconds {@code VIZRELAY_HZ_MERGE_DELAY_SECONDS}: how soon split clusters look
 *     for each other to merge (default 30; Hazelcast's 300 leaves a frozen-then-resumed node alone
 *     for five minutes)
 * @param exitAfterMerge {@code VIZRELAY_EXIT_AFTER_MERGE}: a service process whose side was merged
 *     into the bigger cluster exits with status 3 so it is restarted clean (event-bus subscriptions
 *     are unreliable after a merge, vert.x#4394); default true
 * @param drainDelaySeconds {@code VIZRELAY_DRAIN_DELAY_SECONDS}: on SIGTERM, how long the node
 *     keeps serving with {@code /readiness} answering 503 before it stops accepting requests
 *     (default 0: in Kubernetes the preStop sleep already covers the removal from the Service
 *     endpoints). Not part of the shutdown timeout
 * @param partitionGroup where backups may live ({@link PartitionGroup}: {@code
 *     VIZRELAY_HZ_PARTITION_GROUP})
 */
public record ClusterConfig(
    String clusterName,
    Join join,
    List<String> members,
    String hzInterface,
    int hzPort,
    boolean hzPortAutoIncrement,
    String k8sServiceDns,
    int k8sServicePort,
    String eventBusHost,
    int eventBusPort,
    String eventBusPublicHost,
    int eventBusPublicPort,
    int maxNoHeartbeatSeconds,
    int heartbeatIntervalSeconds,
    int joinWaitSeconds,
    int backupCount,
    int shutdownTimeoutSeconds,
    int minClusterSize,
    int mergeDelaySeconds,
    boolean exitAfterMerge,
    int drainDelaySeconds,
    PartitionGroup partitionGroup) {

  /** How members find each other. */
  public enum Join {
    TCP,
    KUBERNETES
  }

  public static ClusterConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  public static ClusterConfig fromEnv(Map<String, String> env) {
    Join join =
        switch (str(env, "VIZRELAY_CLUSTER_JOIN", "tcp").toLowerCase()) {
          case "tcp", "tcp-ip" -> Join.TCP;
          case "kubernetes", "k8s" -> Join.KUBERNETES;
          default ->
              throw new IllegalArgumentException(
                  "VIZRELAY_CLUSTER_JOIN must be tcp or kubernetes, was "
                      + env.get("VIZRELAY_CLUSTER_JOIN"));
        };
    int hzPort = integer(env, "VIZRELAY_HZ_PORT", 5701, 1, 65535);
    List<String> members = new ArrayList<>();
    for (String m : str(env, "VIZRELAY_CLUSTER_MEMBERS", "127.0.0.1:" + hzPort).split(",")) {
      String member = m.trim();
      if (member.isEmpty()) {
        continue;
      }
      if (member.matches(".*:\\d+-\\d+$")) {
        throw new IllegalArgumentException(
            "VIZRELAY_CLUSTER_MEMBERS: list every host:port, no ranges: " + member);
      }
      members.add(member);
    }
    String dns = str(env, "VIZRELAY_K8S_SERVICE_DNS", null);
    if (join == Join.KUBERNETES && dns == null) {
      throw new IllegalArgumentException(
          "VIZRELAY_K8S_SERVICE_DNS is required when VIZRELAY_CLUSTER_JOIN=kubernetes");
    }
    return new ClusterConfig(
        str(env, "VIZRELAY_CLUSTER_NAME", "vizrelay"),
        join,
        List.copyOf(members),
        str(env, "VIZRELAY_HZ_INTERFACE", join == Join.TCP ? "127.0.0.1" : null),
        hzPort,
        bool(env, "VIZRELAY_HZ_PORT_AUTO_INCREMENT", false),
        dns,
        integer(env, "VIZRELAY_K8S_SERVICE_PORT", hzPort, 1, 65535),
        str(env, "VIZRELAY_EVENTBUS_HOST", "127.0.0.1"),
        integer(env, "VIZRELAY_EVENTBUS_PORT", 0, 0, 65535),
        str(env, "VIZRELAY_EVENTBUS_PUBLIC_HOST", null),
        integer(env, "VIZRELAY_EVENTBUS_PUBLIC_PORT", -1, -1, 65535),
        integer(env, "VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS", 10, 2, 3600),
        integer(env, "VIZRELAY_HZ_HEARTBEAT_INTERVAL_SECONDS", 2, 1, 600),
        integer(env, "VIZRELAY_HZ_JOIN_WAIT_SECONDS", 1, 0, 600),
        integer(env, "VIZRELAY_HZ_BACKUP_COUNT", 1, 0, 6),
        integer(env, "VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS", 20, 1, 3600),
        integer(env, "VIZRELAY_HZ_MIN_CLUSTER_SIZE", 0, 0, 1000),
        integer(env, "VIZRELAY_HZ_MERGE_DELAY_SECONDS", 30, 1, 3600),
        bool(env, "VIZRELAY_EXIT_AFTER_MERGE", true),
        integer(env, "VIZRELAY_DRAIN_DELAY_SECONDS", 0, 0, 3600),
        PartitionGroup.fromEnv(new EnvVars(env)));
  }

  private static String str(Map<String, String> env, String key, String def) {
    return new EnvVars(env).string(key, def);
  }

  private static boolean bool(Map<String, String> env, String key, boolean def) {
    return new EnvVars(env).bool(key, def);
  }

  private static int integer(Map<String, String> env, String key, int def, int min, int max) {
    return new EnvVars(env).integer(key, def, min, max);
  }
}
