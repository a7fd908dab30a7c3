package io.vizrelay.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.socket.SocketRequest.Position;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TaskChannel} driven by hand on its event loop: the test hands it a real task's deltas
 * (made by the embedded store) in the order a bus could deliver them, and fires the reorder wait
 * itself ({@link ManualTimer}) instead of waiting 100 ms. Gap repair reads the real store.
 */
class TaskChannelTest {
  static final String TASK = "alice-channel";

  @TempDir Path dir;
  Vertx vertx;
  Context loop;
  TaskStore store;
  SocketMetrics metrics;
  ManualTimer timer;
  TaskChannel<Recorder> channel;
  Recorder member;
  List<Delta> deltas;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    store = TestStores.embedded(vertx, dir);
    deltas = TestStores.appends(store, TASK, 6);
    metrics = new SocketMetrics(Metrics.create());
    timer = new ManualTimer();
    member = new Recorder();
    channel =
        onLoop(
            () -> {
              TaskChannel<Recorder> c = new TaskChannel<>(vertx, timer, TASK, store, metrics);
              c.add(member);
              return c;
            });
  }

  @AfterEach
  void stop() throws Exception {
    try {
      onLoop(
          () -> {
            channel.close();
            return null;
          });
      TestStores.await(store.close());
    } finally {
      TestStores.await(vertx.close());
    }
  }

  @Test
  void earlyDeltasWaitForTheMissingOneAndGoOutInOrder() throws Exception {
    positioned(0);
    feed(3, 2);
    assertEquals(List.of(), member.seqs(), "nothing before seq 1");
    assertEquals(1, timer.pending(), "the reorder wait started");
    feed(1);
    assertEquals(List.of(1L, 2L, 3L), member.seqs());
    assertEquals(0, timer.pending(), "in order again: no repair");
    assertEquals(0, gapsRepaired());
  }

  @Test
  void duplicatesAreDropped() throws Exception {
    positioned(0);
    feed(1, 1, 2, 1, 2, 3);
    assertEquals(List.of(1L, 2L, 3L), member.seqs());
  }

  @Test
  void deltasAreHeldUntilASessionIsPositionedThenStartRightAfterIt() throws Exception {
    feed(3, 2, 1);
    assertEquals(List.of(), member.seqs(), "an unpositioned channel takes no delta as its start");
    positioned(1);
    assertEquals(List.of(2L, 3L), member.seqs(), "seq 1 is in the session's sync already");
  }

  @Test
  void aGapIsRepairedFromTheStoreOnceTheWaitIsOver() throws Exception {
    positioned(0);
    feed(1, 4, 3);
    assertEquals(List.of(1L), member.seqs());
    timer.fire();
    // the store has all six frames: the repair brings every one after seq 1
    awaitSeqs(List.of(1L, 2L, 3L, 4L, 5L, 6L));
    assertEquals(1, gapsRepaired());
    feed(5, 6);
    assertEquals(
        List.of(1L, 2L, 3L, 4L, 5L, 6L), member.seqs(), "the bus's late copies are duplicates now");
  }

  @Test
  void aGapTheStoreCannotFillResyncsTheSessions() throws Exception {
    onLoop(
        () -> {
          channel.positioned("another-life", 0);
          channel.onDelta(inEpoch(deltas.get(1), "another-life"));
          return null;
        });
    timer.fire();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (member.resyncs().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no resync");
      Thread.sleep(10);
    }
    assertEquals(List.of("gap"), member.resyncs());
    assertEquals(List.of(), member.seqs());
  }

  @Test
  void aDeltaOfAnotherEpochRestartsTheChannelAtIt() throws Exception {
    positioned(0);
    feed(1);
    onLoop(
        () -> {
          channel.onDelta(inEpoch(deltas.get(4), "recreated"));
          return null;
        });
    assertEquals(
        List.of(1L, 5L), member.seqs(), "the sessions see the other epoch and re-sync themselves");
  }

  private void positioned(long seq) throws Exception {
    String epoch = deltas.get(0).epoch();
    onLoop(
        () -> {
          channel.positioned(epoch, seq);
          return null;
        });
  }

  private void feed(long... seqs) throws Exception {
    onLoop(
        () -> {
          for (long s : seqs) {
            channel.onDelta(deltas.get((int) s - 1));
          }
          return null;
        });
  }

  private void awaitSeqs(List<Long> expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!member.seqs().equals(expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + expected + ", delivered " + member.seqs());
      }
      Thread.sleep(10);
    }
  }

  private long gapsRepaired() {
    return metrics.view(0, 0, 0, 0, 0).gapsRepaired();
  }

  private static Delta inEpoch(Delta d, String epoch) {
    return new Delta(d.taskId(), epoch, d.seq(), d.env(), d.visdom(), d.compact());
  }

  /** Runs on the channel's event loop, as the bus and the timers do, and waits for it. */
  private <T> T onLoop(java.util.concurrent.Callable<T> work) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          try {
            done.complete(work.call());
          } catch (Throwable e) {
            done.completeExceptionally(e);
          }
        });
    return done.get(30, TimeUnit.SECONDS);
  }

  /** The reorder wait, fired by the test. */
  final class ManualTimer implements TaskChannel.Timer {
    private final List<Runnable> actions = new ArrayList<>();

    @Override
    public long set(long delayMs, Runnable action) {
      assertEquals(TaskChannel.REORDER_WAIT_MS, delayMs);
      actions.add(action);
      return actions.size() - 1;
    }

    @Override
    public void cancel(long id) {
      actions.set((int) id, null);
    }

    long pending() {
      return actions.stream().filter(a -> a != null).count();
    }

    /** Fires the pending wait on the loop. */
    void fire() throws Exception {
      onLoop(
          () -> {
            for (int i = 0; i < actions.size(); i++) {
              Runnable a = actions.get(i);
              if (a != null) {
                actions.set(i, null);
                a.run();
              }
            }
            return null;
          });
    }
  }

  /** A channel member that records what it was given. */
  static final class Recorder implements TaskChannel.Member {
    private final List<Long> seqs = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> resyncs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void deliver(Delta delta) {
      seqs.add(delta.seq());
    }

    @Override
    public void resync(Position since, String reason) {
      resyncs.add(reason);
    }

    List<Long> seqs() {
      return List.copyOf(seqs);
    }

    List<String> resyncs() {
      return List.copyOf(resyncs);
    }
  }
}
