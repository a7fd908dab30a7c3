package io.vizrelay.common.auth;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vizrelay.common.store.cluster.GridCall;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open sockets per user for the whole cluster, in the grid map {@value #MAP}: one entry per {@code
 * <kind>:<user>} (kind {@code browser} or {@code job}) holding each member's count ({@link
 * Counts}). A {@link Claim} (an entry processor on the key's partition owner, run again on the
 * backup) adds one to the calling member's count only if the sum stays within the limit; a {@link
 * Release} takes one off. When a member leaves (crash included), the oldest member removes its
 * counts ({@link Forget}), so the sockets of a dead node stop counting once the membership notices.
 */
final class ConnectionGrid {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGrid.class);

  /** The grid map: {@code <kind>:<user>} to every member's open sockets. */
  static final String MAP = "vizrelay.auth.connections";

  /**
   * How long a claim waits for the grid before the node counts alone (a grant that arrives later is
   * given back).
   */
  static final long CLAIM_TIMEOUT_MS = 5_000;

  private final IMap<String, Counts> map;
  private final String member;

  private ConnectionGrid(HazelcastInstance hz) {
    this.map = hz.getMap(MAP);
    this.member = hz.getCluster().getLocalMember().getUuid().toString();
  }

  /**
   * The grid counts of a clustered {@code vertx} (Hazelcast), else null (the process counts alone).
   */
  static ConnectionGrid of(Vertx vertx) {
    if (vertx != null
        && vertx.isClustered()
        && ((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hz) {
      return start(hz.getHazelcastInstance());
    }
    return null;
  }

  /** Counts in {@code hz}'s grid; forgets the counts of members that leave. */
  static ConnectionGrid start(HazelcastInstance hz) {
    ConnectionGrid grid = new ConnectionGrid(hz);
    hz.getCluster().addMembershipListener(grid.new Forgetter(hz));
    return grid;
  }

  /** True when this member may count one more socket under {@code key} (the sum stays ≤ max). */
  Future<Boolean> claim(String key, int max) {
    CompletableFuture<Boolean> stage;
    try {
      stage = map.submitToKey(key, new Claim(member, max)).toCompletableFuture();
    } catch (RuntimeException notActive) {
      return Future.failedFuture(GridCall.translate(notActive, "the connection count"));
    }
    Future<Boolean> answer =
        GridCall.of(stage, "the connection count").timeout(CLAIM_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    answer.onFailure(
        err ->
            stage.thenAccept(
                late -> {
                  if (late) {
                    release(key); // granted after the caller stopped waiting: not used
                  }
                }));
    return answer;
  }

  /** Gives one of this member's sockets under {@code key} back. */
  Future<Void> release(String key) {
    try {
      return GridCall.of(map.submitToKey(key, new Release(member)), "the connection count")
          .mapEmpty();
    } catch (RuntimeException notActive) {
      return Future.failedFuture(GridCall.translate(notActive, "the connection count"));
    }
  }

  /** The sockets counted under {@code key}, all members together. */
  Future<Integer> total(String key) {
    return GridCall.of(map.getAsync(key), "the connection count")
        .map(c -> c == null ? 0 : c.total());
  }

  /** Removes {@code memberId}'s counts from every key (blocking: not on an event loop). */
  void forget(String memberId) {
    map.executeOnEntries(new Forget(memberId));
  }

  /** On the oldest member: a member that left stops counting. */
  private final class Forgetter implements MembershipListener {
    private final HazelcastInstance hz;

    Forgetter(HazelcastInstance hz) {
      this.hz = hz;
    }

    @Override
    public void memberAdded(MembershipEvent event) {}

    @Override
    public void memberRemoved(MembershipEvent event) {
      Iterator<Member> members = hz.getCluster().getMembers().iterator();
      if (!members.hasNext() || !members.next().localMember()) {
        return;
      }
      String gone = event.getMember().getUuid().toString();
      CompletableFuture.runAsync(() -> forget(gone))
          .whenComplete(
              (v, err) -> {
                if (err != null) {
                  LOG.warn("the sockets of member {} were not forgotten: {}", gone, err.toString());
                } else {
                  LOG.info("member {} left: its sockets no longer count", gone);
                }
              });
    }
  }

  /**
   * Every member's open sockets under one key, and the number of changes so far ({@code version}).
   */
  public static final class Counts implements DataSerializable {
    final Map<String, Integer> byMember = new LinkedHashMap<>();
    long version;

    public Counts() {}

    int total() {
      return byMember.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Adds {@code delta} to {@code member}'s count (never below 0; a count of 0 is dropped). */
    void add(String member, int delta) {
      int n = Math.max(0, byMember.getOrDefault(member, 0) + delta);
      if (n == 0) {
        byMember.remove(member);
      } else {
        byMember.put(member, n);
      }
      version++;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(version);
      out.writeInt(byMember.size());
      for (Map.Entry<String, Integer> e : byMember.entrySet()) {
        out.writeString(e.getKey());
        out.writeInt(e.getValue());
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      version = in.readLong();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        byMember.put(in.readString(), in.readInt());
      }
    }
  }

  /** Writes {@code counts} back, or removes the entry when nobody holds a socket. */
  private static void store(Map.Entry<String, Counts> entry, Counts counts) {
    entry.setValue(counts.byMember.isEmpty() ? null : counts);
  }

  /** One more socket for a member, if the sum stays within {@code max}; true when granted. */
  public static final class Claim
      implements EntryProcessor<String, Counts, Boolean>, DataSerializable {
    private String member;
    private int max;

    public Claim() {}

    Claim(String member, int max) {
      this.member = member;
      this.max = max;
    }

    @Override
    public Boolean process(Map.Entry<String, Counts> entry) {
      Counts counts = entry.getValue() == null ? new Counts() : entry.getValue();
      if (counts.total() + 1 > max) {
        return false;
      }
      counts.add(member, 1);
      store(entry, counts);
      return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(member);
      out.writeInt(max);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      member = in.readString();
      max = in.readInt();
    }
  }

  /** One socket fewer for a member; answers the sum left. */
  public static final class Release
      implements EntryProcessor<String, Counts, Integer>, DataSerializable {
    private String member;

    public Release() {}

    Release(String member) {
      this.member = member;
    }

    @Override
    public Integer process(Map.Entry<String, Counts> entry) {
      Counts counts = entry.getValue();
      if (counts == null) {
        return 0;
      }
      counts.add(member, -1);
      store(entry, counts);
      return counts.total();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(member);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      member = in.readString();
    }
  }

  /** Drops a member's count under every key (the member left); answers how many it held. */
  public static final class Forget
      implements EntryProcessor<String, Counts, Integer>, DataSerializable {
    private String member;

    public Forget() {}

    Forget(String member) {
      this.member = member;
    }

    @Override
    public Integer process(Map.Entry<String, Counts> entry) {
      Counts counts = entry.getValue();
      Integer held = counts == null ? null : counts.byMember.get(member);
      if (held == null) {
        return 0;
      }
      counts.add(member, -held);
      store(entry, counts);
      return held;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(member);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      member = in.readString();
    }
  }
}
