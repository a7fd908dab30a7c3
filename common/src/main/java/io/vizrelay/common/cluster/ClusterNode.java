package io.vizrelay.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vizrelay.common.config.ServerOptions;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.error.ErrorHandler;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.registry.grid.RegistryGrid;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import io.vizrelay.common.store.pg.PgConfig;
import io.vizrelay.common.store.pg.PgTier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clustered vizrelay node: a Vert.x clustered with Hazelcast ({@link ClusterConfig}), the
 * grid-backed {@link ClusterTaskStore}, and one HTTP server ({@code /health} liveness,
 * {@code /readiness} = Hazelcast cluster safety) on which the given services mount their routes.
 * Each service module's {@code *Main} runs one service per process; tests run several per node.
 */
public final class ClusterNode {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  /** Largest WebSocket message accepted from a browser (as in the embedded app). */
  /** Split-brain protection of the task states ({@code VIZRELAY_HZ_MIN_CLUSTER_SIZE}). */
  static final String QUORUM = "vizrelay-quorum";

  /**
   * What a service gets from its node: the configuration, the grid-backed task store, the node's
   * router (to mount its routes on) and the Hazelcast instance (for other grid structures, such as the
   * task registry).
   */
  public record ServiceContext(VizConfig config, TaskStore store, Router router, HazelcastInstance grid) {}

  /** Makes one service's verticle; it mounts its routes on {@link ServiceContext#router}. */
  @FunctionalInterface
  public interface Service {
    Deployable create(ServiceContext context);
  }

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final VizConfig config;
  private final ClusterConfig cluster;
  private final TaskStore store;
  private final List<String> deployments;
  private final HttpServer server;
  /** Set when the drain starts ({@link #stop}): {@code /readiness} answers 503 from then on. */
  private volatile AtomicBoolean draining = new AtomicBoolean();
  /** The drain in progress, once {@link #stop} was called. */
  private Future<Void> stopping;
  /** PostgreSQL behind the grid, or null ({@code VIZRELAY_PG_URL} unset); closed after leaving the cluster. */
  private PgTier pgTier;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager, VizConfig config, ClusterConfig cluster,
      TaskStore store, List<String> deployments, HttpServer server) {
    this.vertx = vertx;
    this.manager = manager;
    this.config = config;
    this.cluster = cluster;
    this.store = store;
    this.deployments = deployments;
    this.server = server;
  }

  /** The Hazelcast configuration of a node: Vert.x's required maps plus ours, join and failure detection. */
  public static Config hazelcastConfig(ClusterConfig c) {
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(c.clusterName());
    cfg.setProperty("hazelcast.logging.type", "slf4j");
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(c.maxNoHeartbeatSeconds()));
    cfg.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(c.heartbeatIntervalSeconds()));
    cfg.setProperty("hazelcast.wait.seconds.before.join", Integer.toString(c.joinWaitSeconds()));
    cfg.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(c.mergeDelaySeconds()));
    cfg.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(c.mergeDelaySeconds()));
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(c.hzPort()).setPortAutoIncrement(c.hzPortAutoIncrement());
    if (c.hzInterface() != null) {
      net.getInterfaces().setEnabled(true).addInterface(c.hzInterface());
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (c.join() == ClusterConfig.Join.TCP) {
      join.getTcpIpConfig().setEnabled(true);
      c.members().forEach(join.getTcpIpConfig()::addMember);
    } else {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", c.k8sServiceDns())
          .setProperty("service-dns-timeout", "5")
          .setProperty("service-port", Integer.toString(c.k8sServicePort()));
    }
    ClusterTaskStore.configure(cfg, c.backupCount());
    RegistryGrid.configure(cfg, c.backupCount());
    if (c.minClusterSize() > 1) {
      cfg.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, c.minClusterSize()));
      cfg.getMapConfig(ClusterTaskStore.MAP).setSplitBrainProtectionName(QUORUM);
      cfg.getMapConfig(RegistryGrid.MAP).setSplitBrainProtectionName(QUORUM);
    }
    return cfg;
  }

  /** Joins the cluster, opens the store, deploys {@code services} and starts the HTTP server. */
  public static Future<ClusterNode> start(VizConfig config, ClusterConfig cluster, List<Service> services) {
    return start(config, cluster, null, services);
  }

  /** As above, with PostgreSQL behind the grid when {@code pg} is not null. */
  public static Future<ClusterNode> start(VizConfig config, ClusterConfig cluster, PgConfig pg, List<Service> services) {
    Config hazelcast = hazelcastConfig(cluster);
    PgTier tier;
    try {
      tier = PgTier.attach(hazelcast, pg, config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    EventBusOptions bus = new EventBusOptions().setHost(cluster.eventBusHost()).setPort(cluster.eventBusPort());
    if (cluster.eventBusPublicHost() != null) {
      bus.setClusterPublicHost(cluster.eventBusPublicHost());
    }
    if (cluster.eventBusPublicPort() >= 0) {
      bus.setClusterPublicPort(cluster.eventBusPublicPort());
    }
    long started = System.nanoTime();
    Metrics metrics = Metrics.create();
    return metrics.vertxBuilder(new VertxOptions().setEventBusOptions(bus)).withClusterManager(manager)
        .buildClustered()
        .compose(vertx -> {
          metrics.install(vertx).clusterMembers(() -> manager.getNodes().size());
          LOG.info("joined cluster {} as {} in {} ms; members={}", cluster.clusterName(), manager.getNodeId(),
              (System.nanoTime() - started) / 1_000_000, manager.getNodes().size());
          TaskStore store = new ClusterTaskStore(vertx, manager.getHazelcastInstance(), config);
          Router router = Router.router(vertx);
          router.route().failureHandler(new ErrorHandler());
          router.route().handler(metrics.http());
          router.get("/health").handler(ctx -> ctx.json(Map.of("status", "UP")));
          router.get("/metrics").handler(metrics.scrapeHandler());
          AtomicBoolean draining = new AtomicBoolean();
          router.get("/readiness").handler(ctx -> {
            if (draining.get()) {  // SIGTERM: out of the load balancers at once, whatever the cluster says
              ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
                  .end("{\"status\":\"DOWN\",\"checks\":[{\"id\":\"draining\",\"status\":\"DOWN\"}],\"outcome\":\"DOWN\"}");
            } else {
              ctx.next();
            }
          });
          HealthCheckHandler readiness = HealthCheckHandler.create(vertx)
              .register("cluster-health", ClusterHealthCheck.createProcedure(vertx));
          if (tier != null) {
            readiness.register("postgresql", tier::healthCheck);
          }
          router.get("/readiness").handler(readiness);
          List<String> ids = new ArrayList<>();
          Future<Void> deployed = Future.succeededFuture();
          ServiceContext context = new ServiceContext(config, store, router, manager.getHazelcastInstance());
          for (Service s : services) {
            deployed = deployed.compose(v -> vertx.deployVerticle(s.create(context)).onSuccess(ids::add).mapEmpty());
          }
          return deployed
              .compose(v -> listen(vertx, config, router, metrics))
              .map(server -> new ClusterNode(vertx, manager, config, cluster, store, ids, server))
              .map(node -> {
                node.draining = draining;
                node.pgTier = tier;
                return node;
              })
              .onFailure(e -> vertx.close().onComplete(ar -> closeTier(tier)));
        });
  }

  private static Future<HttpServer> listen(Vertx vertx, VizConfig config, Router router, Metrics metrics) {
    router.route().last().handler(ctx -> ctx.fail(new ApiException(ErrorCode.NOT_FOUND, "no route for " + ctx.request().path())));
    HttpServerOptions options = ServerOptions.http(config);
    return metrics.http().countConnections(vertx.createHttpServer(options)).requestHandler(router).listen();
  }

  public int port() {
    return server.actualPort();
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
   * Drains the node and leaves the cluster (docs/CLUSTER.md "Drain on SIGTERM"); idempotent.
   * <ol>
   *   <li>{@code /readiness} answers 503 at once ({@code /health} stays 200);</li>
   *   <li>the node keeps serving for {@code VIZRELAY_DRAIN_DELAY_SECONDS} (default 0);</li>
   *   <li>the HTTP server stops listening (new connections are refused, idle keep-alive connections
   *       close) and lets in-flight requests finish, bounded by half the shutdown timeout; meanwhile the
   *       services are undeployed: browsers get close 1001 with a {@code since=<epoch>:<seq>} hint and
   *       reconnect to another node (this one no longer accepts them), their consumers are unregistered;</li>
   *   <li>the store closes and the node leaves the cluster ({@code vertx.close()}).</li>
   * </ol>
   * {@link #stopBlocking} bounds it.
   */
  public synchronized Future<Void> stop() {
    if (stopping == null) {
      stopping = drainAndLeave();
    }
    return stopping;
  }

  private Future<Void> drainAndLeave() {
    long t0 = System.nanoTime();
    draining.set(true);
    int delay = cluster.drainDelaySeconds();
    LOG.info("drain: readiness answers 503; serving {} s more", delay);
    Future<Void> delayed = delay > 0 ? vertx.timer(delay, TimeUnit.SECONDS).mapEmpty() : Future.succeededFuture();
    Future<Void> drained = delayed.compose(v -> {
      long grace = Math.max(1, cluster.shutdownTimeoutSeconds() / 2);
      Future<Void> http = server.shutdown(grace, TimeUnit.SECONDS).onComplete(ar -> LOG.info(
          "drain: HTTP server closed, in-flight requests done, at +{} ms{}", ms(t0), ar.failed() ? " (" + ar.cause() + ")" : ""));
      Future<Void> undeploy = Future.succeededFuture();
      for (int i = deployments.size() - 1; i >= 0; i--) {
        String id = deployments.get(i);
        undeploy = undeploy.eventually(() -> vertx.undeploy(id));
      }
      undeploy = undeploy.onComplete(ar -> LOG.info("drain: services undeployed (browsers closed with 1001 since=) at +{} ms",
          ms(t0)));
      return Future.join(http, undeploy).<Void>mapEmpty();
    }).eventually(() -> store.close());
    // not chained with eventually(): that future would complete on one of this Vert.x's event loops,
    // which vertx.close() has just terminated (RejectedExecutionException, the stop never completes)
    Promise<Void> left = Promise.promise();
    drained.onComplete(ignored -> vertx.close().onComplete(ar -> {
      closeTier(pgTier);
      LOG.info("drain: left the cluster at +{} ms{}", ms(t0), ar.failed() ? " (" + ar.cause() + ")" : "");
      left.handle(ar);
    }));
    return left.future();
  }

  private static void closeTier(PgTier tier) {
    if (tier != null) {
      tier.close();
    }
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /**
   * {@link #stop} bounded by {@code VIZRELAY_DRAIN_DELAY_SECONDS} + {@code VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS};
   * on timeout the caller should halt.
   */
  public boolean stopBlocking() {
    int bound = cluster.drainDelaySeconds() + cluster.shutdownTimeoutSeconds();
    try {
      stop().toCompletionStage().toCompletableFuture().get(bound, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      LOG.warn("clean stop did not finish within {} s: {}", bound, e.toString());
      return false;
    }
  }

  /**
   * The body of every service's {@code main}: configuration from the environment, start, and a
   * SIGTERM hook that stops within {@code VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS} or halts.
   */
  public static void run(String name, List<Service> services) {
    VizConfig config;
    ClusterConfig cluster;
    PgConfig pg;
    try {
      config = VizConfig.fromEnv();
      cluster = ClusterConfig.fromEnv();
      pg = PgConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("vizrelay-" + name + ": invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    ClusterNode node;
    try {
      node = start(config, cluster, pg, services).await(5, TimeUnit.MINUTES);
    } catch (Throwable e) {
      LOG.error("vizrelay-{} failed to start", name, e);
      Runtime.getRuntime().halt(1);
      return;
    }
    LOG.info("vizrelay-{} listening on http://{}:{} (cluster {}, node {})", name, config.host(), node.port(),
        cluster.clusterName(), node.nodeId());
    if (cluster.exitAfterMerge()) {
      node.hazelcast().getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          LOG.error("vizrelay-{}: this node was split from the cluster and merged back; exiting to restart clean", name);
          new Thread(() -> {
            node.stopBlocking();
            Runtime.getRuntime().halt(3);
          }, "vizrelay-merged").start();
        }
      });
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("vizrelay-{} stopping", name);
      if (!node.stopBlocking()) {
        Runtime.getRuntime().halt(0);
      }
    }, "vizrelay-shutdown"));
  }
}
