package io.vizrelay.bench;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What a relay measurement talks to: the HTTP port that takes the updates (and the set-up and
 * clean-up POSTs), the ports the subscribers connect to (spread evenly over them, round-robin), and
 * the server processes whose CPU is charged to the deliveries. The embedded single node is one
 * process that is all three; the loopback cluster is an ingest node, two socket nodes and a
 * taskinfo node.
 *
 * @param label how tables name it
 * @param ingestPort where the poster and the set-up POSTs go
 * @param socketPorts where the K subscribers connect, subscriber i to {@code socketPorts[i % n]}
 * @param processes every server process, for CPU accounting (names in table order)
 * @param alive whether all of them still run (for diagnostics of a stalled call)
 */
record RelayTarget(
    String label,
    int ingestPort,
    List<Integer> socketPorts,
    List<Proc> processes,
    BooleanSupplier alive) {
  /** One server process: a short name (e.g. {@code socket-1}) and its pid. */
  record Proc(String name, long pid) {}

  static RelayTarget of(ServerProcess server) {
    return new RelayTarget(
        server.label,
        server.port,
        List.of(server.port),
        List.of(new Proc("server", server.pid())),
        server::alive);
  }

  List<Long> pids() {
    return processes.stream().map(Proc::pid).toList();
  }
}
