package io.vizrelay.app;

import io.vertx.core.Vertx;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.taskinfo.TaskinfoConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded vizrelay ({@code java -jar app/target/vizrelay.jar}). Configuration comes
 * from environment variables (README "Configuration"); {@code VIZRELAY_DEMO=true} also runs a
 * synthetic training job so the page shows live curves at once.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** Upper bound for a clean shutdown on SIGTERM before the JVM halts anyway. */
  static final long SHUTDOWN_TIMEOUT_SECONDS = 20;

  private Main() {}

  public static void main(String[] args) {
    VizConfig config;
    try {
      config = VizConfig.fromEnv();
      TaskinfoConfig.fromEnv();
    } catch (IllegalArgumentException e) {
      System.err.println("vizrelay: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    EmbeddedServer server;
    try {
      server = EmbeddedServer.start(vertx, System.getenv()).await();
    } catch (Exception e) {
      LOG.error("vizrelay failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    if (config.demo()) {
      vertx.deployVerticle(new DemoJob("http://127.0.0.1:" + server.port(), DemoJob.TASK_ID))
          .onSuccess(id -> LOG.info("demo task running: open http://{}:{}/?task_id={}", config.host(), server.port(), DemoJob.TASK_ID));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(server), "vizrelay-shutdown"));
  }

  private static void shutdown(EmbeddedServer server) {
    try {
      server.stop().compose(v -> server.vertx().close()).toCompletionStage().toCompletableFuture()
          .get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown did not finish in {} s; halting", SHUTDOWN_TIMEOUT_SECONDS);
    }
  }
}
