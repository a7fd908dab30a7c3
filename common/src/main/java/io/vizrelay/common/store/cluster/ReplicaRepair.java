package io.vizrelay.common.store.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's repair of its backup replicas that fell out of step with their primary: a {@link
 * Processors.Replay} that cannot apply a frame (or finds a gap before it) marks its replica
 * diverged, counts it here ({@code vizrelay_backup_divergences_total}) and asks the primary for its
 * whole state ({@link Processors.Resync}), which replaces the replica ({@link
 * Processors.Overwrite}). Held in the member's user context, so every replay on the member counts
 * into the same figure.
 */
final class ReplicaRepair {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaRepair.class);
  private static final String KEY = "vizrelay.replicaRepair";

  private final HazelcastInstance member;
  private final AtomicLong divergences = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();

  private ReplicaRepair(HazelcastInstance member) {
    this.member = member;
  }

  /** The member's repair (made on first use). */
  static ReplicaRepair of(HazelcastInstance member) {
    return (ReplicaRepair)
        member.getUserContext().computeIfAbsent(KEY, k -> new ReplicaRepair(member));
  }

  /** Backup replicas on this member that diverged from their primary since it started. */
  long divergences() {
    return divergences.get();
  }

  /** Resyncs this member asked for that completed (the primary's whole task is on every backup). */
  long resyncs() {
    return resyncs.get();
  }

  /**
   * Counts a diverged replica of {@code taskId} and asks its primary for the whole state. Runs off
   * the partition thread that found it (a replay must not call into the grid).
   */
  void diverged(String taskId) {
    divergences.incrementAndGet();
    CompletableFuture.runAsync(
        () ->
            member
                .<String, StoredTask>getMap(ClusterTaskStore.MAP)
                .submitToKey(taskId, new Processors.Resync())
                .whenComplete(
                    (ignored, e) -> {
                      if (e != null) {
                        LOG.error(
                            "backup replica of task {} diverged and could not be resynchronized from its primary",
                            taskId,
                            e);
                      } else {
                        resyncs.incrementAndGet();
                        LOG.info(
                            "backup replica of task {} resynchronized from its primary", taskId);
                      }
                    }));
  }
}
