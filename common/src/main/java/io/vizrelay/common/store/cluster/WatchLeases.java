package io.vizrelay.common.store.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The browser sessions of this node, as the grid's idle eviction sees them ({@link GridEviction}):
 * a lease in {@value GridEviction#WATCHED} per task a session of this node watches, set when the
 * first opens and renewed every third of its time to live while any is open. Nothing is written
 * when the member does not evict (no store behind the grid). Never blocks: the grid calls are
 * asynchronous.
 */
final class WatchLeases {
  private final Vertx vertx;
  private final HazelcastInstance member;
  private final Map<String, Integer> sessions = new ConcurrentHashMap<>();
  private long timer = -1;

  WatchLeases(Vertx vertx, HazelcastInstance member) {
    this.vertx = vertx;
    this.member = member;
  }

  void watch(String taskId) {
    if (!GridEviction.enabled(member)) {
      return;
    }
    if (sessions.merge(taskId, 1, Integer::sum) == 1) {
      lease(taskId);
    }
    startRenewing();
  }

  void unwatch(String taskId) {
    sessions.computeIfPresent(taskId, (k, n) -> n <= 1 ? null : n - 1);
  }

  private synchronized void startRenewing() {
    if (timer < 0) {
      long every = Math.max(1, GridEviction.leaseSeconds(member) * 1000 / 3);
      timer = vertx.setPeriodic(every, id -> sessions.keySet().forEach(this::lease));
    }
  }

  private void lease(String taskId) {
    IMap<String, String> watched = member.getMap(GridEviction.WATCHED);
    watched.setAsync(
        taskId,
        member.getCluster().getLocalMember().getUuid().toString(),
        GridEviction.leaseSeconds(member),
        TimeUnit.SECONDS);
  }

  synchronized void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
