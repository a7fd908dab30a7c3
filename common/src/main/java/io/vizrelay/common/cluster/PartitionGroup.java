package io.vizrelay.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.PartitionGroupConfig;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import io.vizrelay.common.config.EnvVars;

/**
 * Where a partition's backups may live (docs/CLUSTER.md, docs/DEPLOY.md): with {@code node} or
 * {@code zone}, Hazelcast never puts a backup in the same group as its primary, so losing one
 * Kubernetes node (or zone) loses no task state. The group of this member comes from the Kubernetes
 * topology of its pod, passed in by the manifests.
 *
 * @param type {@code VIZRELAY_HZ_PARTITION_GROUP}: {@code none} (default: any member may back up
 *     any other), {@code node} (NODE_AWARE) or {@code zone} (ZONE_AWARE)
 * @param group this member's node name ({@code VIZRELAY_HZ_NODE_NAME}, from {@code spec.nodeName})
 *     or zone ({@code VIZRELAY_HZ_ZONE}, the {@code topology.kubernetes.io/zone} label); required
 *     for {@code node} / {@code zone}
 */
public record PartitionGroup(Type type, String group) {

  /** The partition group types offered. */
  public enum Type {
    NONE,
    NODE,
    ZONE
  }

  public static PartitionGroup fromEnv(EnvVars env) {
    Type type = env.enumValue("VIZRELAY_HZ_PARTITION_GROUP", Type.class, Type.NONE);
    String group =
        switch (type) {
          case NONE -> null;
          case NODE -> required(env, "VIZRELAY_HZ_NODE_NAME", type);
          case ZONE -> required(env, "VIZRELAY_HZ_ZONE", type);
        };
    return new PartitionGroup(type, group);
  }

  private static String required(EnvVars env, String key, Type type) {
    String value = env.string(key, null);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          key + " is required when VIZRELAY_HZ_PARTITION_GROUP=" + type.name().toLowerCase());
    }
    return value;
  }

  /** Enables the member group type on {@code cfg} and tags this member with its group. */
  public void apply(Config cfg) {
    if (type == Type.NONE) {
      return;
    }
    PartitionGroupConfig pg = cfg.getPartitionGroupConfig().setEnabled(true);
    if (type == Type.NODE) {
      pg.setGroupType(PartitionGroupConfig.MemberGroupType.NODE_AWARE);
      cfg.getMemberAttributeConfig()
          .setAttribute(PartitionGroupMetaData.PARTITION_GROUP_NODE, group);
    } else {
      pg.setGroupType(PartitionGroupConfig.MemberGroupType.ZONE_AWARE);
      cfg.getMemberAttributeConfig()
          .setAttribute(PartitionGroupMetaData.PARTITION_GROUP_ZONE, group);
    }
  }
}
