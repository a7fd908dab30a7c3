package io.vizrelay.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.taskinfo.TaskinfoConfig;
import io.vizrelay.taskinfo.TaskinfoVerticle;
import java.util.List;

/** Deploys the taskinfo verticle into the embedded app. */
final class ServiceWiring {
  private ServiceWiring() {}

  static Future<Void> deployTaskinfo(Vertx vertx, VizConfig config, TaskinfoConfig taskinfo, TaskStore store,
      Router router, List<String> ids) {
    return vertx.deployVerticle(new TaskinfoVerticle(config, taskinfo, store, router)).onSuccess(ids::add).mapEmpty();
  }
}
