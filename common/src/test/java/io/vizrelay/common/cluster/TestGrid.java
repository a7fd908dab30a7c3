package io.vizrelay.common.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A real Hazelcast cluster for tests: a random cluster name, members on 127.0.0.1 at free ports
 * chosen up front (every member lists all of them), configured exactly as nodes are ({@link
 * HazelcastSetup#config}) with fast failure detection. Members are either plain Hazelcast instances
 * ({@link #startMember}) or whole nodes started from {@link #env}.
 */
public final class TestGrid implements AutoCloseable {
  /** Lowest and highest port handed out; below Linux's ephemeral range (32768+). */
  static final int PORT_LOW = 20_000;

  static final int PORT_HIGH = 32_000;

  public final String clusterName = "vizrelay-test-" + UUID.randomUUID().toString().substring(0, 8);
  public final List<Integer> ports;
  public final List<HazelcastInstance> members = new ArrayList<>();

  /** Room for {@code capacity} members. */
  public TestGrid(int capacity) throws IOException {
    this.ports = freePorts(capacity);
  }

  /**
   * Free ports chosen below the ephemeral range: a port from it, released here and bound later by a
   * member that joins mid-test, can meanwhile be taken by any outgoing connection on the machine.
   */
  public static List<Integer> freePorts(int n) throws IOException {
    Random random = new Random();
    List<Integer> ports = new ArrayList<>();
    int tries = 0;
    while (ports.size() < n) {
      if (++tries > 10_000) {
        throw new IOException("no free ports in " + PORT_LOW + "-" + PORT_HIGH);
      }
      int port = PORT_LOW + random.nextInt(PORT_HIGH - PORT_LOW);
      if (!ports.contains(port) && bindable(port)) {
        ports.add(port);
      }
    }
    return ports;
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }

  /** The cluster part of member {@code index}'s environment (join, port, failure detection). */
  public Map<String, String> env(int index) {
    Map<String, String> env = new HashMap<>();
    env.put("VIZRELAY_CLUSTER_NAME", clusterName);
    env.put("VIZRELAY_CLUSTER_JOIN", "tcp");
    env.put(
        "VIZRELAY_CLUSTER_MEMBERS",
        ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("VIZRELAY_HZ_PORT", Integer.toString(ports.get(index)));
    env.put("VIZRELAY_EVENTBUS_HOST", "127.0.0.1");
    env.put("VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS", "6");
    env.put("VIZRELAY_HZ_HEARTBEAT_INTERVAL_SECONDS", "1");
    env.put("VIZRELAY_HZ_JOIN_WAIT_SECONDS", "1");
    return env;
  }

  /** Starts the next plain member and waits until it sees every member started so far. */
  /**
   * Waits (bounded) until no partition migrates and every backup is in step: a write made while the
   * second member's partitions still migrate can reach a backup out of order, which then
   * (correctly) diverges and resynchronizes — an extra divergence a test counting them would see.
   */
  public void awaitSafe() throws InterruptedException {
    awaitSafe(members.get(0));
  }

  /** The same, as {@code member} sees the cluster. */
  public static void awaitSafe(HazelcastInstance member) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (!member.getPartitionService().isClusterSafe()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test cluster did not become safe in 60 s");
      }
      Thread.sleep(20); // polling interval, bounded by the deadline
    }
  }

  public HazelcastInstance startMember() throws InterruptedException {
    HazelcastInstance member =
        Hazelcast.newHazelcastInstance(
            HazelcastSetup.config(ClusterConfig.fromEnv(env(members.size()))));
    members.add(member);
    awaitSize(member, members.size());
    return member;
  }

  /** Waits (30 s at most) until {@code member} sees {@code size} members. */
  public static void awaitSize(HazelcastInstance member, int size) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (member.getCluster().getMembers().size() != size) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "cluster of " + size + " not formed: " + member.getCluster().getMembers());
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }
}
