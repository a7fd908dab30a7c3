package io.vizrelay.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.http.HttpFront;
import io.vizrelay.common.http.HttpListeners;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.HotConfig;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.embedded.EmbeddedTaskStore;
import io.vizrelay.ingest.IngestVerticle;
import io.vizrelay.socket.SocketVerticle;
import io.vizrelay.taskinfo.TaskinfoConfig;
import io.vizrelay.taskinfo.TaskinfoVerticle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: the three services in one non-clustered Vert.x, sharing one HTTP server and
 * the on-disk {@link EmbeddedTaskStore}, behind the shared {@link HttpFront}, with one {@link
 * AuthGate} for the process. {@link #start} resolves once {@code /health} answers. {@code GET
 * /metrics} serves the registry installed on the Vert.x ({@link Metrics#of}; {@link Main} builds
 * its Vert.x with one, so Vert.x's own meters are there too).
 */
public final class EmbeddedServer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  private final Vertx vertx;
  private final VizConfig config;
  private final TaskStore store;
  private final HttpListeners server;
  private final List<String> deployments;

  private EmbeddedServer(
      Vertx vertx,
      VizConfig config,
      TaskStore store,
      HttpListeners server,
      List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.server = server;
    this.deployments = deployments;
  }

  /**
   * Starts with both configurations read from {@code env} (the process environment in {@link
   * Main}).
   */
  public static Future<EmbeddedServer> start(Vertx vertx, Map<String, String> env) {
    return start(
        vertx, VizConfig.fromEnv(env), TaskinfoConfig.fromEnv(env), HotConfig.fromEnv(env));
  }

  public static Future<EmbeddedServer> start(Vertx vertx, VizConfig config) {
    return start(vertx, config, TaskinfoConfig.defaults());
  }

  public static Future<EmbeddedServer> start(
      Vertx vertx, VizConfig config, TaskinfoConfig taskinfo) {
    return start(vertx, config, taskinfo, HotConfig.defaults());
  }

  public static Future<EmbeddedServer> start(
      Vertx vertx, VizConfig config, TaskinfoConfig taskinfo, HotConfig hot) {
    return startWith(vertx, config, taskinfo, EmbeddedTaskStore.open(vertx, config, hot));
  }

  /**
   * Starts on a store being opened by {@link #openStore} (started before the Vert.x, so that
   * opening the log overlaps Vert.x's own start: {@link Main}).
   */
  public static Future<EmbeddedServer> start(
      Vertx vertx, Map<String, String> env, CompletableFuture<EmbeddedTaskStore> store) {
    return startWith(
        vertx,
        VizConfig.fromEnv(env),
        TaskinfoConfig.fromEnv(env),
        Future.fromCompletionStage(store, vertx.getOrCreateContext()));
  }

  /**
   * Opens the store of {@code env}'s configuration on a thread of its own (the SQLite library is
   * loaded, the task list read) while the caller goes on building its Vert.x.
   */
  public static CompletableFuture<EmbeddedTaskStore> openStore(Map<String, String> env) {
    CompletableFuture<EmbeddedTaskStore> opened = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                opened.complete(
                    EmbeddedTaskStore.openBlocking(VizConfig.fromEnv(env), HotConfig.fromEnv(env)));
              } catch (Throwable e) {
                opened.completeExceptionally(e);
              }
            },
            "vizrelay-store-open");
    t.setDaemon(true);
    t.start();
    return opened;
  }

  private static Future<EmbeddedServer> startWith(
      Vertx vertx, VizConfig config, TaskinfoConfig taskinfo, Future<EmbeddedTaskStore> opening) {
    return opening.compose(
        store -> {
          Metrics metrics = Metrics.of(vertx);
          metrics.clusterMembers(() -> 1);
          store.hot().register(metrics);
          Router router = HttpFront.router(vertx, config, metrics);
          List<String> ids = new ArrayList<>();
          return AuthGate.forProcess(vertx, config)
              .compose(gate -> deploy(vertx, ids, new IngestVerticle(config, store, router)))
              .compose(v -> deploy(vertx, ids, new SocketVerticle(config, store, router)))
              .compose(
                  v -> deploy(vertx, ids, new TaskinfoVerticle(config, taskinfo, store, router)))
              .compose(v -> HttpListeners.listen(vertx, config, router, metrics))
              .map(server -> new EmbeddedServer(vertx, config, store, server, ids))
              .compose(EmbeddedServer::announce);
        });
  }

  private static Future<Void> deploy(
      Vertx vertx, List<String> ids, io.vertx.core.Deployable verticle) {
    return vertx.deployVerticle(verticle).onSuccess(ids::add).mapEmpty();
  }

  private Future<EmbeddedServer> announce() {
    return vertx.executeBlocking(
        () -> {
          Files.createDirectories(config.dataDir());
          // written aside then renamed: a reader never sees the file empty or half written
          java.nio.file.Path tmp = config.dataDir().resolve("port.tmp");
          Files.writeString(tmp, Integer.toString(port()), StandardCharsets.UTF_8);
          Files.move(
              tmp,
              config.dataDir().resolve("port"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          LOG.info(
              "vizrelay listening on http://{}:{} (data dir {}, event loops {})",
              config.host(),
              port(),
              config.dataDir().toAbsolutePath(),
              eventLoops());
          announceAuth(config);
          return this;
        });
  }

  /** Says at start whether anyone can reach the server without a credential. */
  static void announceAuth(VizConfig config) {
    if (config.auth().enabled()) {
      LOG.info(
          "authentication on (VIZRELAY_AUTH={}): {}",
          config.auth().mode().name().toLowerCase(),
          config.auth());
    } else if (AuthConfig.isLoopback(config.host())) {
      LOG.warn(
          "authentication is OFF (VIZRELAY_AUTH=none): every request acts as admin user {};"
              + " listening on loopback {} only",
          config.user(),
          config.host());
    } else {
      LOG.warn(
          "authentication is OFF and VIZRELAY_INSECURE_BIND=true: anyone who can reach {}:{} can read,"
              + " write and stop every task",
          config.host(),
          config.port());
    }
  }

  public int port() {
    return server.port();
  }

  /** The HTTP/WebSocket server instances (one per event loop). */
  public int eventLoops() {
    return server.size();
  }

  public TaskStore store() {
    return store;
  }

  public Vertx vertx() {
    return vertx;
  }

  public VizConfig config() {
    return config;
  }

  /**
   * Stops the services (browsers get a close frame with a resume hint), the server, then the store.
   */
  public Future<Void> stop() {
    Future<Void> undeploy = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      undeploy = undeploy.compose(v -> vertx.undeploy(id));
    }
    return undeploy.compose(v -> server.close()).compose(v -> store.close());
  }
}
