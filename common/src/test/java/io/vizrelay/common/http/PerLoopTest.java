package io.vizrelay.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One instance per event loop, made on its loop; {@link PerLoop#collect} runs on each loop. */
class PerLoopTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** An instance remembers the thread it was made on. */
  record Made(Thread thread) {}

  @Test
  void oneInstancePerLoopEachUsedOnItsOwnLoop() throws Exception {
    PerLoop<Made> perLoop = new PerLoop<>(c -> new Made(Thread.currentThread()));
    List<Context> loops = contexts(4);
    Set<Made> seen = ConcurrentHashMap.newKeySet();
    for (Context c : loops) {
      for (int i = 0; i < 3; i++) {
        await(
            Future.future(
                p ->
                    c.runOnContext(
                        v -> {
                          Made m = perLoop.current();
                          assertSame(Thread.currentThread(), m.thread());
                          seen.add(m);
                          p.complete();
                        })));
      }
    }
    assertEquals(4, seen.size());
    assertEquals(4, perLoop.size());
    List<Boolean> onOwnLoop = await(perLoop.collect(m -> m.thread() == Thread.currentThread()));
    assertEquals(List.of(true, true, true, true), onOwnLoop);
  }

  @Test
  void refusesOffALoop() {
    PerLoop<Made> perLoop = new PerLoop<>(c -> new Made(Thread.currentThread()));
    assertThrows(IllegalStateException.class, perLoop::current);
  }

  private List<Context> contexts(int n) throws Exception {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    await(
        vertx.deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    contexts.add(context);
                    return Future.succeededFuture();
                  }
                },
            new DeploymentOptions().setInstances(n)));
    return contexts;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
