package io.vizrelay.ingest;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.bus.DeltaCodec;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.TaskStore;

/**
 * The ingest service: the visdom HTTP API and the Python clients' {@code /vis_socket}, mounted on
 * the router it is given (the embedded app's, or its own server's in clustered mode).
 */
public final class IngestVerticle extends VerticleBase {
  private final VizConfig config;
  private final TaskStore store;
  private final Router router;
  private ActivityReporter activity;

  public IngestVerticle(VizConfig config, TaskStore store, Router router) {
    this.config = config;
    this.store = store;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    DeltaCodec.register(vertx);
    return AuthGate.forProcess(vertx, config)
        .map(
            gate -> {
              activity = new ActivityReporter(vertx);
              activity.start();
              new IngestHandlers(config, store, vertx.eventBus(), activity, gate, Metrics.of(vertx))
                  .mount(router);
              new VisSocketHub(vertx, config, gate).mount(router);
              return null;
            });
  }

  @Override
  public Future<?> stop() {
    if (activity != null) {
      activity.stop();
    }
    return Future.succeededFuture();
  }
}
