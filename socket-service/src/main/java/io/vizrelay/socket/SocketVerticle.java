package io.vizrelay.socket;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vizrelay.common.bus.DeltaCodec;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.store.TaskStore;

/**
 * The socket service: browsers' WebSockets ({@code /socket?task_id=}, visdom's {@code /socket}
 * and {@code /task/<id>/socket}), validated before the upgrade, mounted on the given router.
 */
public final class SocketVerticle extends VerticleBase {
  private final VizConfig config;
  private final TaskStore store;
  private final Router router;
  private SessionHub hub;

  public SocketVerticle(VizConfig config, TaskStore store, Router router) {
    this.config = config;
    this.store = store;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    DeltaCodec.register(vertx);
    SocketMetrics metrics = new SocketMetrics();
    hub = new SessionHub(vertx, config, store, metrics, new BrowserCommands(store, vertx.eventBus()));
    router.get("/socket").handler(this::upgrade);
    router.get("/task/:taskId/socket").handler(this::upgrade);
    router.get("/api/relay/stats").handler(ctx -> ctx.json(hub.stats()));
    mountPage();
    return Future.succeededFuture();
  }

  /** The web page ({@code /}), its static files and Plotly from its WebJar (compressed by the server). */
  private void mountPage() {
    router.get("/").handler(ctx -> ctx.reroute("/static/index.html"));
    router.get("/static/*").handler(StaticHandler.create("webroot").setCachingEnabled(true).setMaxAgeSeconds(60));
    router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(86400));
  }

  private void upgrade(RoutingContext ctx) {
    SocketRequest request = SocketRequest.from(ctx, config);
    ctx.request().toWebSocket()
        .onSuccess(ws -> hub.open(request, ws))
        .onFailure(ctx::fail);
  }

  @Override
  public Future<?> stop() {
    if (hub != null) {
      hub.closeAll();
    }
    return Future.succeededFuture();
  }
}
