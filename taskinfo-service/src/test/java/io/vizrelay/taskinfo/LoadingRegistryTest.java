package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.TaskOwner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded registry answers calls made while its rows are still being read, in order. */
class LoadingRegistryTest {
  @TempDir Path dir;
  private Vertx vertx;
  private VizConfig config;
  private final TaskinfoConfig limits = TaskinfoConfig.defaults();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    config = VizConfig.fromEnv(Map.of()).withDataDir(dir);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void callsMadeBeforeTheLoadWaitForItAndRunInOrder() throws Exception {
    Promise<Registry> loaded = Promise.promise();
    LoadingRegistry registry = new LoadingRegistry(loaded.future());
    Future<?> registered = registry.register(registration("alice-early"), 1L);
    Future<?> found = registry.get("alice-early");
    assertFalse(registered.isComplete(), "nothing runs before the registry is loaded");
    assertFalse(found.isComplete());

    Registry real = await(TaskRegistry.opener(config, limits).open(vertx, c -> {}));
    loaded.complete(real);

    await(registered);
    assertTrue(await(registry.get("alice-early")).isPresent(), "the register ran before the get");
    assertTrue(((java.util.Optional<?>) await(found)).isPresent());
    await(registry.close());
  }

  @Test
  void aReopenedRegistryHasEveryStoredTaskForCallsMadeAtOnce() throws Exception {
    Registry first = await(TaskRegistry.opener(config, limits).open(vertx, c -> {}));
    for (int i = 0; i < 200; i++) {
      await(first.register(registration("alice-t" + i), i));
    }
    await(first.close());

    Registry second = await(TaskRegistry.opener(config, limits).open(vertx, c -> {}));
    // asked at once, before the load could have finished: the answers include every stored task
    Future<?> newTask = second.register(registration("alice-new"), 999L);
    ListQuery all =
        new ListQuery("alice", ListQuery.StatusFilter.ALL, null, 1000, 0, ListQuery.Scope.OWN);
    TaskPage page = await(second.list(all));
    await(newTask);
    assertEquals(201, page.total(), "200 stored tasks plus the one registered first");
    await(second.close());
  }

  @Test
  void aFailedLoadFailsEveryCallWithItsCause() throws Exception {
    IllegalStateException cause = new IllegalStateException("corrupt row");
    LoadingRegistry registry = new LoadingRegistry(Future.failedFuture(cause));
    List<Future<?>> calls = new ArrayList<>();
    calls.add(registry.get("alice-x"));
    calls.add(registry.register(registration("alice-x"), 1L));
    calls.add(registry.markLost(0));
    for (Future<?> call : calls) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(call));
      assertSame(cause, e.getCause());
    }
    await(registry.close());
  }

  private static Registration registration(String taskId) {
    return new Registration(
        taskId, new TaskOwner("alice", "p"), TaskKind.values()[0], 1L, "host", null);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
