package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.model.TaskKind;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TaskStatus;
import io.vizrelay.common.registry.Change;
import io.vizrelay.common.registry.FinishReport;
import io.vizrelay.common.registry.Registration;
import io.vizrelay.common.registry.RegistryOp;
import io.vizrelay.common.registry.TaskOwner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grid registry keeps exactly the embedded registry's rules: one seeded random sequence of
 * registrations (same and other owners, over the per-user limit), heartbeats, finishes, stops,
 * shares, deletions, ingest sightings and lost checks is applied to the embedded registry and,
 * alternating between them, to two grid replicas on a real 2-member Hazelcast cluster. After every
 * step the outcome (the change, or the refusal's error code), the listener's notifications and
 * every user's lists must be identical.
 */
class RegistryEquivalenceIT {
  private static final int STEPS = 400;
  private static final int MAX_TASKS = 3;
  private static final List<String> USERS = List.of("alice", "bob", "carol");
  private static final List<String> TASKS =
      List.of("alice-a", "alice-b", "alice-c", "alice-d", "bob-x", "bob-y", "default", "carol-z");

  @TempDir Path dir;
  Vertx vertx;
  TestGrid grid;
  Registry local;
  List<Registry> replicas;
  final List<Change> localHeard = Collections.synchronizedList(new ArrayList<>());
  final List<Change> gridHeard = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    grid = new TestGrid(2);
    grid.startMember();
    grid.startMember();
    VizConfig config = VizConfig.fromEnv(Map.of("VIZRELAY_USER", "carol")).withDataDir(dir);
    TaskinfoConfig limits = TaskinfoConfig.defaults().withMaxTasksPerUser(MAX_TASKS);
    local = await(TaskRegistry.opener(config, limits).open(vertx, localHeard::add));
    replicas =
        List.of(
            await(
                GridRegistry.opener(grid.members.get(0), config, limits)
                    .open(vertx, gridHeard::add)),
            await(
                GridRegistry.opener(grid.members.get(1), config, limits)
                    .open(vertx, gridHeard::add)));
  }

  @AfterEach
  void close() throws Exception {
    try {
      await(local.close());
    } finally {
      try {
        grid.close();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void gridAndEmbeddedRegistriesAgreeOnEveryStep() throws Exception {
    Random random = new Random(20261126);
    long now = 1_000_000;
    int refused = 0;
    for (int step = 0; step < STEPS; step++) {
      now += 1 + random.nextInt(5_000);
      Function<Registry, Future<List<Change>>> op = randomOp(random, now);
      Registry replica = replicas.get(step % 2);
      String where = "step " + step;
      Outcome expected = outcome(op.apply(local));
      Outcome actual = outcome(op.apply(replica));
      assertEquals(expected, actual, where);
      refused += expected.error() == null ? 0 : 1;
      assertEquals(sorted(localHeard), sorted(gridHeard), where + ": notifications");
      localHeard.clear();
      gridHeard.clear();
      for (String user : USERS) {
        for (ListQuery.Scope scope : ListQuery.Scope.values()) {
          ListQuery q = new ListQuery(user, ListQuery.StatusFilter.ALL, null, 100, 0, scope);
          assertEquals(
              await(local.list(q)),
              await(replicas.get((step + 1) % 2).list(q)),
              where + ": list " + user + " " + scope);
        }
      }
    }
    assertTrue(refused > STEPS / 20, "the sequence exercised refusals too: " + refused);
    for (String task : TASKS) {
      assertEquals(await(local.get(task)), await(replicas.get(0).get(task)), task);
    }
  }

  /** What an op did: its changes (sorted by task) or its refusal's code. */
  record Outcome(List<Change> changes, String error) {}

  private static Outcome outcome(Future<List<Change>> result) throws Exception {
    try {
      return new Outcome(sorted(await(result)), null);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException api) {
        return new Outcome(null, api.code().name());
      }
      throw e;
    }
  }

  private static List<Change> sorted(List<Change> changes) {
    List<Change> copy = new ArrayList<>(changes);
    copy.sort(Comparator.comparing(Change::taskId));
    return copy;
  }

  private Function<Registry, Future<List<Change>>> randomOp(Random random, long now) {
    String task = TASKS.get(random.nextInt(TASKS.size()));
    switch (random.nextInt(9)) {
      case 0, 1 -> {
        String user =
            random.nextInt(4) == 0
                ? USERS.get(random.nextInt(USERS.size()))
                : TaskOwner.fromTaskId(task, "carol").userId();
        Registration r =
            new Registration(
                task,
                new TaskOwner(user, "p" + random.nextInt(2)),
                TaskKind.values()[random.nextInt(3)],
                (long) random.nextInt(100),
                "host" + random.nextInt(3),
                random.nextBoolean() ? null : Json.object().put("lr", random.nextInt(10)));
        return reg -> reg.register(r, now).map(List::of);
      }
      case 2 -> {
        return reg -> reg.update(task, new RegistryOp.Heartbeat(now)).map(List::of);
      }
      case 3 -> {
        FinishReport report =
            new FinishReport(
                List.of(TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.STOPPED)
                    .get(random.nextInt(3)),
                random.nextInt(3));
        return reg -> reg.update(task, new RegistryOp.Finish(report, now)).map(List::of);
      }
      case 4 -> {
        return reg -> reg.update(task, new RegistryOp.Stop()).map(List::of);
      }
      case 5 -> {
        List<String> users = USERS.stream().filter(u -> random.nextBoolean()).toList();
        return reg -> reg.update(task, new RegistryOp.Share(users)).map(List::of);
      }
      case 6 -> {
        return reg -> reg.update(task, new RegistryOp.Delete()).map(List::of);
      }
      case 7 -> {
        TaskSeen seen =
            new TaskSeen(
                task, now - random.nextInt(1000), random.nextInt(500), random.nextInt(4), 1);
        return reg -> reg.seen(List.of(seen), now);
      }
      default -> {
        long cutoff = now - random.nextInt(20_000);
        return reg -> reg.markLost(cutoff);
      }
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
