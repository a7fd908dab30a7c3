package io.vizrelay.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.http.HttpFront;
import io.vizrelay.common.http.HttpListeners;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import io.vizrelay.common.store.pg.PgConfig;
import io.vizrelay.common.store.pg.PgTier;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clustered vizrelay node's wiring: a Vert.x clustered with Hazelcast ({@link HazelcastSetup}),
 * the grid-backed {@link ClusterTaskStore} (with PostgreSQL behind it when configured, {@link
 * PgTier}), and one HTTP server ({@code /health} liveness, {@code /readiness} = this node can serve
 * ({@link Readiness}), {@code /health/cluster} = Hazelcast cluster safety) on which the given
 * services mount their routes. {@link ServiceProcess} runs one service per process; tests run
 * several per node.
 */
public final class ClusterNode {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  /**
   * What a service gets from its node: the configuration, the grid-backed task store, the node's
   * router (to mount its routes on) and the Hazelcast instance (for other grid structures, such as
   * the task registry).
   */
  public record ServiceContext(
      VizConfig config, TaskStore store, Router router, HazelcastInstance grid) {}

  /** Makes one service's verticle; it mounts its routes on {@link ServiceContext#router}. */
  @FunctionalInterface
  public interface Service {
    Deployable create(ServiceContext context);
  }

  /** {@code vizrelay_pg_lag_seconds} (docs/METRICS.md). */
  static final String PG_LAG = "vizrelay.pg.lag";

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final VizConfig config;
  private final ClusterConfig cluster;
  private final TaskStore store;
  private final HttpListeners server;
  private final NodeDrain drain;

  private ClusterNode(
      Vertx vertx,
      HazelcastClusterManager manager,
      VizConfig config,
      ClusterConfig cluster,
      TaskStore store,
      HttpListeners server,
      NodeDrain drain) {
    this.vertx = vertx;
    this.manager = manager;
    this.config = config;
    this.cluster = cluster;
    this.store = store;
    this.server = server;
    this.drain = drain;
  }

  /** Joins the cluster, opens the store, deploys {@code services} and starts the HTTP server. */
  public static Future<ClusterNode> start(
      VizConfig config, ClusterConfig cluster, List<Service> services) {
    return start(config, cluster, null, services);
  }

  /**
   * As above, with PostgreSQL behind the grid ({@link PgTier}) when {@code pg} is not null: the
   * database is opened and migrated before the member joins.
   */
  public static Future<ClusterNode> start(
      VizConfig config, ClusterConfig cluster, PgConfig pg, List<Service> services) {
    return start(config, cluster, pg, HotConfig.defaults(), services);
  }

  /**
   * As above; with PostgreSQL behind the grid, idle unwatched tasks leave the grid by {@code hot}'s
   * rule ({@code VIZRELAY_HOT_IDLE_SECONDS}).
   */
  public static Future<ClusterNode> start(
      VizConfig config, ClusterConfig cluster, PgConfig pg, HotConfig hot, List<Service> services) {
    Config hazelcast = HazelcastSetup.config(cluster);
    PgTier tier;
    try {
      tier = PgTier.attach(hazelcast, pg, config, hot);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    long started = System.nanoTime();
    Metrics metrics = Metrics.create();
    return metrics
        .vertxBuilder(HttpListeners.vertxOptions(config).setEventBusOptions(eventBus(cluster)))
        .withClusterManager(manager)
        .buildClustered()
        .onFailure(e -> PgTier.closeIfAny(tier))
        .compose(
            vertx -> {
              metrics.install(vertx).clusterMembers(() -> manager.getNodes().size());
              if (tier != null) {
                Gauge.builder(PG_LAG, tier, PgTier::lagSeconds)
                    .description(
                        "age of this member's oldest write not yet committed in PostgreSQL")
                    .baseUnit("seconds")
                    .strongReference(true)
                    .register(Metrics.of(vertx).registry());
                tier.residency().register(Metrics.of(vertx));
              }
              LOG.info(
                  "joined cluster {} as {} in {} ms; members={}",
                  cluster.clusterName(),
                  manager.getNodeId(),
                  (System.nanoTime() - started) / 1_000_000,
                  manager.getNodes().size());
              TaskStore store = new ClusterTaskStore(vertx, manager.getHazelcastInstance(), config);
              NodeDrain drain = new NodeDrain(cluster, tier);
              Router router =
                  router(
                      vertx, config, cluster, metrics, drain, manager.getHazelcastInstance(), tier);
              ServiceContext context =
                  new ServiceContext(config, store, router, manager.getHazelcastInstance());
              List<String> ids = new ArrayList<>();
              return deploy(vertx, services, context, ids)
                  .compose(v -> HttpListeners.listen(vertx, config, router, metrics))
                  .map(
                      server -> {
                        drain.attach(vertx, store, ids, server);
                        return new ClusterNode(
                            vertx, manager, config, cluster, store, server, drain);
                      })
                  .onFailure(e -> vertx.close().onComplete(ar -> PgTier.closeIfAny(tier)));
            });
  }

  private static EventBusOptions eventBus(ClusterConfig cluster) {
    EventBusOptions bus =
        new EventBusOptions().setHost(cluster.eventBusHost()).setPort(cluster.eventBusPort());
    if (cluster.eventBusPublicHost() != null) {
      bus.setClusterPublicHost(cluster.eventBusPublicHost());
    }
    if (cluster.eventBusPublicPort() >= 0) {
      bus.setClusterPublicPort(cluster.eventBusPublicPort());
    }
    return bus;
  }

  /**
   * The node's own routes: errors, metrics, {@code /health}, {@code /metrics}, {@code /readiness}.
   */
  private static Router router(
      Vertx vertx,
      VizConfig config,
      ClusterConfig cluster,
      Metrics metrics,
      NodeDrain drain,
      HazelcastInstance hazelcast,
      PgTier tier) {
    Router router =
        HttpFront.router(vertx, config, metrics); // errors, headers, metrics, /health, /metrics
    // this node can serve (Readiness); the cluster-wide migration state is /health/cluster
    router
        .get("/readiness")
        .handler(
            new Readiness(
                hazelcast,
                drain::draining,
                cluster.minClusterSize() > 1 ? HazelcastSetup.QUORUM : null,
                tier == null ? null : tier::health));
    router
        .get("/health/cluster")
        .handler(
            HealthCheckHandler.create(vertx)
                .register("cluster-health", ClusterHealthCheck.createProcedure(vertx)));
    return router;
  }

  /** Deploys the services one after the other; their deployment ids go into {@code ids}. */
  private static Future<Void> deploy(
      Vertx vertx, List<Service> services, ServiceContext context, List<String> ids) {
    Future<Void> deployed = Future.succeededFuture();
    for (Service s : services) {
      deployed =
          deployed.compose(
              v -> vertx.deployVerticle(s.create(context)).onSuccess(ids::add).mapEmpty());
    }
    return deployed;
  }

  public int port() {
    return server.port();
  }

  public Vertx vertx() {
    return vertx;
  }

  public TaskStore store() {
    return store;
  }

  public VizConfig config() {
    return config;
  }

  public ClusterConfig cluster() {
    return cluster;
  }

  public String nodeId() {
    return manager.getNodeId();
  }

  public HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /**
   * Drains the node and leaves the cluster ({@link NodeDrain}); idempotent. {@link #stopBlocking}
   * bounds it.
   */
  public Future<Void> stop() {
    return drain.stop();
  }

  /**
   * {@link #stop} bounded by {@code VIZRELAY_DRAIN_DELAY_SECONDS} + {@code
   * VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS}; on timeout the caller should halt.
   */
  public boolean stopBlocking() {
    return drain.stopBlocking();
  }
}
