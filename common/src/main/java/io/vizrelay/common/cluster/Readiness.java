package io.vizrelay.common.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.ClusterState;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.splitbrainprotection.SplitBrainProtection;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /readiness}: whether <em>this</em> node can serve, answered from local state only (no
 * cluster-wide call): it is not draining, its Hazelcast member is running, is a member of the
 * cluster it sees, that cluster accepts writes ({@code ACTIVE} or {@code NO_MIGRATION}), and, with
 * split-brain protection on, its side has the quorum. That it answers at all says its HTTP server
 * serves. A partition migration elsewhere does not make it unready: readiness that followed the
 * cluster-wide migration state would take every Service's endpoints out during one long migration
 * ({@code /health/cluster} still reports that state, for operators and rolling-restart scripts).
 * With PostgreSQL behind the grid ({@code VIZRELAY_PG_URL}), the {@code postgresql} check is DOWN,
 * with the reason, while its commits fail.
 */
final class Readiness implements Handler<RoutingContext> {
  private final HazelcastInstance hz;
  private final BooleanSupplier draining;

  /** Name of the split-brain protection to require, or null when it is off. */
  private final String quorum;

  /**
   * Why PostgreSQL takes no writes (null while it does), or null when there is no PostgreSQL tier.
   */
  private final Supplier<String> database;

  Readiness(HazelcastInstance hz, BooleanSupplier draining, String quorum) {
    this(hz, draining, quorum, null);
  }

  Readiness(
      HazelcastInstance hz, BooleanSupplier draining, String quorum, Supplier<String> database) {
    this.hz = hz;
    this.draining = draining;
    this.quorum = quorum;
    this.database = database;
  }

  /** Why the {@code postgresql} check is DOWN, or null (up, or no PostgreSQL tier). */
  String databaseDown() {
    return database == null ? null : database.get();
  }

  /** Each check's outcome, in order; the node is ready when all are true. */
  Map<String, Boolean> checks() {
    Map<String, Boolean> checks = new LinkedHashMap<>();
    checks.put("not-draining", !draining.getAsBoolean());
    boolean running = hz.getLifecycleService().isRunning();
    checks.put("member-running", running);
    if (!running) {
      return checks;
    }
    checks.put(
        "member-joined", hz.getCluster().getMembers().contains(hz.getCluster().getLocalMember()));
    ClusterState state = hz.getCluster().getClusterState();
    checks.put(
        "cluster-writable", state == ClusterState.ACTIVE || state == ClusterState.NO_MIGRATION);
    if (quorum != null) {
      SplitBrainProtection sbp =
          hz.getSplitBrainProtectionService().getSplitBrainProtection(quorum);
      checks.put("quorum", sbp.hasMinimumSize());
    }
    if (database != null) {
      checks.put("postgresql", database.get() == null);
    }
    return checks;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Map<String, Boolean> checks = checks();
    boolean up = !checks.containsValue(Boolean.FALSE);
    ObjectNode body = Json.object().put("status", up ? "UP" : "DOWN");
    ArrayNode list = body.putArray("checks");
    String dbDown = databaseDown();
    checks.forEach(
        (id, ok) -> {
          ObjectNode check = list.addObject().put("id", id).put("status", ok ? "UP" : "DOWN");
          if (!ok && id.equals("postgresql") && dbDown != null) {
            check.putObject("data").put("reason", dbDown);
          }
        });
    body.put("outcome", up ? "UP" : "DOWN");
    ctx.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("content-type", "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(Json.bytes(body)));
  }
}
