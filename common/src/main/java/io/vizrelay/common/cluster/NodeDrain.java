package io.vizrelay.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vizrelay.common.http.HttpListeners;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.pg.PgTier;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain of a clustered node on SIGTERM (docs/CLUSTER.md "Drain on SIGTERM"), and the {@code
 * /readiness} gate it closes first. Idempotent.
 *
 * <ol>
 *   <li>{@code /readiness} answers 503 at once ({@code /health} stays 200);
 *   <li>the node keeps serving for {@code VIZRELAY_DRAIN_DELAY_SECONDS} (default 0);
 *   <li>the HTTP server stops listening (new connections are refused, idle keep-alive connections
 *       close) and lets in-flight requests finish, bounded by half the shutdown timeout; meanwhile
 *       the services are undeployed: browsers get close 1001 with a {@code since=<epoch>:<seq>}
 *       hint and reconnect to another node (this one no longer accepts them), their consumers are
 *       unregistered;
 *   <li>the store closes and the node leaves the cluster ({@code vertx.close()}); then its
 *       PostgreSQL pool (if any) closes, after the grid's last write.
 * </ol>
 */
final class NodeDrain {
  private static final Logger LOG = LoggerFactory.getLogger(NodeDrain.class);
  private static final String DOWN =
      "{\"status\":\"DOWN\",\"checks\":[{\"id\":\"draining\",\"status\":\"DOWN\"}],\"outcome\":\"DOWN\"}";

  private final AtomicBoolean draining = new AtomicBoolean();
  private final ClusterConfig cluster;

  /** PostgreSQL behind the grid, or null: closed after the node left the cluster. */
  private final PgTier tier;

  private Vertx vertx;
  private TaskStore store;
  private List<String> deployments;
  private HttpListeners server;

  /** The drain in progress, once {@link #stop} was called. */
  private Future<Void> stopping;

  NodeDrain(ClusterConfig cluster, PgTier tier) {
    this.cluster = cluster;
    this.tier = tier;
  }

  /** What the drain stops, once the node is up. */
  void attach(Vertx vertx, TaskStore store, List<String> deployments, HttpListeners server) {
    this.vertx = vertx;
    this.store = store;
    this.deployments = deployments;
    this.server = server;
  }

  /**
   * The first {@code /readiness} handler: 503 once draining, whatever the cluster says; else the
   * next.
   */
  void readinessGate(RoutingContext ctx) {
    if (draining.get()) {
      ctx.response().setStatusCode(503).putHeader("content-type", "application/json").end(DOWN);
    } else {
      ctx.next();
    }
  }

  /** Whether the node is leaving (SIGTERM seen): {@link Readiness} answers 503 from then on. */
  boolean draining() {
    return draining.get();
  }

  synchronized Future<Void> stop() {
    if (stopping == null) {
      stopping = drainAndLeave();
    }
    return stopping;
  }

  /**
   * {@link #stop} bounded by the drain delay plus the shutdown timeout; false on timeout (the
   * caller should halt).
   */
  boolean stopBlocking() {
    int bound = cluster.drainDelaySeconds() + cluster.shutdownTimeoutSeconds();
    try {
      stop().toCompletionStage().toCompletableFuture().get(bound, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      LOG.warn("clean stop did not finish within {} s: {}", bound, e.toString());
      return false;
    }
  }

  private Future<Void> drainAndLeave() {
    long t0 = System.nanoTime();
    draining.set(true);
    int delay = cluster.drainDelaySeconds();
    LOG.info("drain: readiness answers 503; serving {} s more", delay);
    Future<Void> delayed =
        delay > 0 ? vertx.timer(delay, TimeUnit.SECONDS).mapEmpty() : Future.succeededFuture();
    Future<Void> drained =
        delayed
            .compose(v -> Future.join(closeHttp(t0), undeploy(t0)).<Void>mapEmpty())
            .eventually(() -> store.close());
    // not chained with eventually(): that future would complete on one of this Vert.x's event
    // loops,
    // which vertx.close() has just terminated (RejectedExecutionException, the stop never
    // completes)
    Promise<Void> left = Promise.promise();
    drained.onComplete(
        ignored ->
            vertx
                .close()
                .onComplete(
                    ar -> {
                      PgTier.closeIfAny(tier);
                      LOG.info(
                          "drain: left the cluster at +{} ms{}",
                          ms(t0),
                          ar.failed() ? " (" + ar.cause() + ")" : "");
                      left.handle(ar);
                    }));
    return left.future();
  }

  private Future<Void> closeHttp(long t0) {
    long grace = Math.max(1, cluster.shutdownTimeoutSeconds() / 2);
    return server
        .shutdown(grace, TimeUnit.SECONDS)
        .onComplete(
            ar ->
                LOG.info(
                    "drain: HTTP server closed, in-flight requests done, at +{} ms{}",
                    ms(t0),
                    ar.failed() ? " (" + ar.cause() + ")" : ""));
  }

  private Future<Void> undeploy(long t0) {
    Future<Void> undeploy = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      undeploy = undeploy.eventually(() -> vertx.undeploy(id));
    }
    return undeploy.onComplete(
        ar ->
            LOG.info(
                "drain: services undeployed (browsers closed with 1001 since=) at +{} ms", ms(t0)));
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
