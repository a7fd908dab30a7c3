package io.vizrelay.app;

import io.vertx.core.Vertx;
import io.vizrelay.common.auth.Tokens;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.http.HttpListeners;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.embedded.EmbeddedTaskStore;
import io.vizrelay.taskinfo.TaskinfoConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded vizrelay ({@code java -jar app/target/vizrelay.jar}). Configuration comes
 * from environment variables (README "Configuration"); {@code VIZRELAY_DEMO=true} also runs a
 * synthetic training job so the page shows live curves at once. {@code java -jar vizrelay.jar run
 * ...} is the training-job launcher instead ({@link io.vizrelay.app.launcher.RunCommand}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** Upper bound for a clean shutdown on SIGTERM before the JVM halts anyway. */
  static final long SHUTDOWN_TIMEOUT_SECONDS = 20;

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("run")) {
      io.vizrelay.app.launcher.RunCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    quietNettyJfr();
    VizConfig config;
    try {
      config = VizConfig.fromEnv();
      TaskinfoConfig.fromEnv();
    } catch (IllegalArgumentException e) {
      System.err.println("vizrelay: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    CompletableFuture<EmbeddedTaskStore> store = EmbeddedServer.openStore(System.getenv());
    Metrics metrics = Metrics.create();
    Vertx vertx = metrics.vertxBuilder(HttpListeners.vertxOptions(config)).build();
    metrics.install(vertx);
    EmbeddedServer server;
    try {
      server = EmbeddedServer.start(vertx, System.getenv(), store).await();
    } catch (Exception e) {
      LOG.error("vizrelay failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    if (config.demo()) {
      vertx
          .deployVerticle(
              new DemoJob(
                  "http://127.0.0.1:" + server.port(),
                  DemoJob.TASK_ID,
                  demoAuthorization(vertx, config)))
          .onSuccess(
              id ->
                  LOG.info(
                      "demo task running: open http://{}:{}/?task_id={}",
                      config.host(),
                      server.port(),
                      DemoJob.TASK_ID));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(server), "vizrelay-shutdown"));
  }

  /**
   * Netty 4.2 registers JFR event classes for its allocator when JFR is available: ~100 classes and
   * generated event handlers on the first request, a cost at every start for events only a profiler
   * reads. Off unless {@code -Dio.netty.jfr.enabled} says otherwise.
   */
  static void quietNettyJfr() {
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  /**
   * With auth on, the demo job acts as user {@code demo} with a token this server signs (needs the
   * HS256 secret).
   */
  static String demoAuthorization(Vertx vertx, VizConfig config) {
    if (!config.auth().enabled()) {
      return null;
    }
    try {
      Tokens tokens = Tokens.create(vertx, config.auth());
      if (tokens.canIssue()) {
        return "Bearer " + tokens.issue("demo", java.util.Set.of());
      }
    } catch (java.io.IOException e) {
      LOG.warn("demo job: cannot read the JWT keys: {}", e.getMessage());
    }
    LOG.warn("demo job: auth is on without an HS256 secret; its requests will be refused");
    return null;
  }

  private static void shutdown(EmbeddedServer server) {
    try {
      server
          .stop()
          .compose(v -> server.vertx().close())
          .toCompletionStage()
          .toCompletableFuture()
          .get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown did not finish in {} s; halting", SHUTDOWN_TIMEOUT_SECONDS);
    }
  }
}
