package io.vizrelay.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A loopback vizrelay cluster run as child JVMs from the real shaded service jars, configured with
 * the environment variables {@code scripts/cluster.sh} uses (docs/CLUSTER.md): a random {@code
 * VIZRELAY_CLUSTER_NAME}, tcp join with an explicit {@code VIZRELAY_CLUSTER_MEMBERS} list of free
 * ports chosen now, Hazelcast and the event bus bound to 127.0.0.1, the script's {@code -Xmx384m}
 * and Hazelcast's {@code --add-opens} flags. Ready when every node answers {@code /health} and
 * {@code /readiness} 200 and every node's log shows the full member list. {@link #close} stops them
 * all (SIGTERM, bounded, then SIGKILL); a shutdown hook kills them if the bench itself is
 * interrupted.
 */
final class LocalCluster implements AutoCloseable {
  static final List<String> HZ_OPENS =
      List.of(
          "--add-modules",
          "java.se",
          "--add-exports",
          "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang=ALL-UNNAMED",
          "--add-opens",
          "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens",
          "java.management/sun.management=ALL-UNNAMED",
          "--add-opens",
          "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  /** What {@code scripts/cluster.sh} passes by default ({@code JAVA_OPTS}). */
  static final String HEAP = "-Xmx384m";

  static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  /** A node's own bound on a clean stop; {@link #close} waits a little longer before SIGKILL. */
  static final int SHUTDOWN_TIMEOUT_SECONDS = 10;

  /**
   * One node: its service ({@code ingest}, {@code socket}, {@code taskinfo}), name, ports and
   * process.
   */
  record Node(String service, String name, int httpPort, int hzPort, ServerProcess process) {}

  final String clusterName;
  final List<Node> nodes;

  /** The service jars run (source path and build time), for the record. */
  final List<String> jars;

  private final Path dir;
  private final Thread killer;

  /**
   * Each node's log length once the cluster was ready: {@link #warnings} reads only what follows.
   */
  private final Map<String, Long> logOffsets = new HashMap<>();

  private LocalCluster(
      String clusterName, List<Node> nodes, List<String> jars, Path dir, Thread killer) {
    this.clusterName = clusterName;
    this.nodes = nodes;
    this.jars = jars;
    this.dir = dir;
    this.killer = killer;
    for (Node n : nodes) {
      try {
        logOffsets.put(n.name(), Files.size(n.process().dataDir.resolve("server.log")));
      } catch (IOException e) {
        logOffsets.put(n.name(), 0L);
      }
    }
  }

  /**
   * The jar of a service in {@code jarDir} ({@code vizrelay-<service>.jar}), or in the module's
   * {@code target/}.
   */
  static Path jarOf(Path jarDir, String service) {
    String name = "vizrelay-" + service + ".jar";
    return jarDir != null ? jarDir.resolve(name) : Path.of(service + "-service", "target", name);
  }

  /**
   * Starts {@code counts} replicas per service (e.g. ingest 1, socket 2, taskinfo 1), all at once,
   * and waits for them. On any failure every started process is stopped before the exception
   * propagates.
   */
  static LocalCluster start(BenchContext ctx, Path jarDir, Map<String, Integer> counts)
      throws Exception {
    return start(ctx, jarDir, counts, Map.of());
  }

  /** As above, every node's environment also holding {@code extraEnv} (e.g. VIZRELAY_PG_*). */
  static LocalCluster start(
      BenchContext ctx, Path jarDir, Map<String, Integer> counts, Map<String, String> extraEnv)
      throws Exception {
    Path dir = Files.createTempDirectory("vizrelay-bench-cluster-");
    Map<String, Path> jars = new HashMap<>();
    List<String> described = new ArrayList<>();
    for (String service : counts.keySet()) {
      Path jar = jarOf(jarDir, service);
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            "service jar not found: "
                + jar.toAbsolutePath()
                + "\nbuild it first (./mvnw -q -B -DskipTests package) or pass --service-jars <dir>");
      }
      Path pinned =
          dir.resolve(
              jar.getFileName()); // a rebuild during the run cannot change the cluster under test
      Files.copy(jar, pinned, StandardCopyOption.REPLACE_EXISTING);
      described.add(
          jar
              + " (built "
              + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'Z'")
                  .withZone(java.time.ZoneOffset.UTC)
                  .format(Files.getLastModifiedTime(jar).toInstant())
              + ")");
      jars.put(service, pinned);
    }
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    int[] ports = freePorts(2 * total);
    String name = "vizrelay-bench-" + UUID.randomUUID().toString().substring(0, 8);
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < total; i++) {
      members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports[total + i]);
    }
    List<Node> nodes = new ArrayList<>();
    List<ServerProcess> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread killer =
        new Thread(() -> started.forEach(ServerProcess::destroyForcibly), "bench-cluster-killer");
    Runtime.getRuntime().addShutdownHook(killer);
    try {
      int idx = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        for (int r = 1; r <= e.getValue(); r++, idx++) {
          String id = e.getKey() + "-" + r;
          int http = ports[idx];
          int hz = ports[total + idx];
          Path nodeDir = Files.createDirectories(dir.resolve(id));
          Map<String, String> env = new HashMap<>();
          env.put("VIZRELAY_CLUSTER_NAME", name);
          env.put("VIZRELAY_CLUSTER_JOIN", "tcp");
          env.put("VIZRELAY_CLUSTER_MEMBERS", members.toString());
          env.put("VIZRELAY_HZ_PORT", Integer.toString(hz));
          env.put("VIZRELAY_HZ_INTERFACE", "127.0.0.1");
          env.put("VIZRELAY_EVENTBUS_HOST", "127.0.0.1");
          env.put("VIZRELAY_EVENTBUS_PORT", "0");
          env.put("VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS", "10");
          env.put("VIZRELAY_HZ_HEARTBEAT_INTERVAL_SECONDS", "2");
          env.put("VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS", Integer.toString(SHUTDOWN_TIMEOUT_SECONDS));
          env.put("VIZRELAY_HOST", "127.0.0.1");
          env.put("VIZRELAY_PORT", Integer.toString(http));
          env.put("VIZRELAY_DATA_DIR", nodeDir.resolve("data").toString());
          env.putAll(extraEnv);
          List<String> java = new ArrayList<>(List.of(ServerProcess.javaBin(), HEAP));
          java.addAll(HZ_OPENS);
          java.addAll(ctx.options.serverJvmOpts());
          if (ctx.options.jfrDir() != null) {
            Files.createDirectories(ctx.options.jfrDir());
            Path jfr = ctx.options.jfrDir().resolve("cluster-" + id + ".jfr").toAbsolutePath();
            java.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
            java.add("-XX:FlightRecorderOptions=stackdepth=256");
            ctx.log("cluster %s JFR recording: %s", id, jfr);
          }
          java.addAll(List.of("-jar", jars.get(e.getKey()).toString()));
          ServerProcess p = ServerProcess.spawn("cluster " + id, nodeDir, java, env, http);
          started.add(p);
          nodes.add(new Node(e.getKey(), id, http, hz, p));
        }
      }
      long t0 = System.nanoTime();
      long deadline = t0 + START_TIMEOUT.toNanos();
      for (Node n : nodes) {
        n.process().awaitOk("/health", deadline);
      }
      for (Node n : nodes) {
        awaitMembers(n, total, deadline);
        n.process().awaitOk("/readiness", deadline);
      }
      ctx.log(
          "cluster %s: %d nodes up and ready in %.1f s (%s)",
          name,
          total,
          (System.nanoTime() - t0) / 1e9,
          String.join(
              ", ",
              nodes.stream()
                  .map(n -> n.name() + " http " + n.httpPort() + " hz " + n.hzPort())
                  .toList()));
      return new LocalCluster(name, List.copyOf(nodes), List.copyOf(described), dir, killer);
    } catch (Exception | Error e) {
      for (ServerProcess p : started) {
        ctx.log("%s log tail:%n%s", p.label, p.logTail());
      }
      ServerProcess.closeAll(started, Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS + 5));
      removeHook(killer);
      ServerProcess.deleteTree(dir);
      throw e;
    }
  }

  /**
   * Waits until the node's log reports a member list of {@code size} (Hazelcast's {@code Members
   * {size:N, ...}}).
   */
  private static void awaitMembers(Node n, int size, long deadlineNanos) throws Exception {
    Path log = n.process().dataDir.resolve("server.log");
    String want = "Members {size:" + size + ",";
    while (System.nanoTime() < deadlineNanos) {
      if (!n.process().alive()) {
        throw new IllegalStateException(n.name() + " exited; log: " + n.process().logTail());
      }
      if (Files.exists(log)) {
        String text = Files.readString(log);
        int last = text.lastIndexOf("Members {size:");
        if (last >= 0 && text.startsWith(want, last)) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        n.name() + " did not see " + size + " members in time; log: " + n.process().logTail());
  }

  /** Free TCP ports on 127.0.0.1, all held open while choosing so that they are distinct. */
  static int[] freePorts(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        s.setReuseAddress(true);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  List<Node> nodes(String service) {
    return nodes.stream().filter(n -> n.service().equals(service)).toList();
  }

  boolean alive() {
    return nodes.stream().allMatch(n -> n.process().alive());
  }

  /**
   * The relay target: the first ingest node takes the updates, subscribers spread over every socket
   * node.
   */
  RelayTarget relayTarget() {
    return new RelayTarget(
        "cluster",
        nodes("ingest").get(0).httpPort(),
        nodes("socket").stream().map(Node::httpPort).toList(),
        nodes.stream().map(n -> new RelayTarget.Proc(n.name(), n.process().pid())).toList(),
        this::alive);
  }

  /**
   * WARN and ERROR lines the nodes logged after the cluster was ready (at most {@code max}), for
   * the run's record.
   */
  List<String> warnings(int max) {
    List<String> out = new ArrayList<>();
    for (Node n : nodes) {
      try {
        byte[] log = Files.readAllBytes(n.process().dataDir.resolve("server.log"));
        int from = (int) Math.min(log.length, logOffsets.getOrDefault(n.name(), 0L));
        String text =
            new String(log, from, log.length - from, java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          if ((line.contains(" WARN ") || line.contains(" ERROR ")) && out.size() < max) {
            out.add(n.name() + ": " + line);
          }
        }
      } catch (IOException | RuntimeException e) {
        // diagnostics only
      }
    }
    return out;
  }

  /** Stops every node (SIGTERM together, SIGKILL after the bound) and deletes their directories. */
  @Override
  public void close() {
    List<String> killed =
        ServerProcess.closeAll(
            nodes.stream().map(Node::process).toList(),
            Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS + 5));
    if (!killed.isEmpty()) {
      System.err.println("[bench] cluster nodes killed after the clean-stop bound: " + killed);
    }
    removeHook(killer);
    ServerProcess.deleteTree(dir);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
  }
}
