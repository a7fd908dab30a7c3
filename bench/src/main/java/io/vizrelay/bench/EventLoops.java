package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Distinct event-loop contexts, spread round-robin over the bench's event loops. ({@code
 * vertx.getOrCreateContext()} from the main thread returns one sticky context, which would put
 * every client on the same loop.)
 */
final class EventLoops {
  private EventLoops() {}

  static List<Context> contexts(Vertx vertx, int count) throws Exception {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    Future<String> deployed =
        vertx.deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    contexts.add(context);
                    return Future.succeededFuture();
                  }
                },
            new DeploymentOptions().setInstances(count));
    deployed.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return List.copyOf(contexts);
  }
}
