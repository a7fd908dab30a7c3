package io.vizrelay.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vizrelay.common.metrics.Metrics;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Session}'s modes over a real WebSocket (server and client on 127.0.0.1, port 0) and a real
 * embedded store: SYNCING holds the channel's deltas, LIVE drops duplicates and re-syncs on a gap
 * from {@code since}, OVERFLOWED drops deltas and re-syncs with a snapshot once drained, CLOSED
 * ignores everything.
 */
class SessionTest {
  static final String TASK = "alice-session";

  @TempDir Path dir;
  Vertx vertx;
  TaskStore store;
  List<Delta> deltas;
  SocketMetrics metrics;
  HttpServer server;
  final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    store = TestStores.embedded(vertx, dir);
    deltas = TestStores.appends(store, TASK, 3);
    metrics = new SocketMetrics(Metrics.create());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      TestStores.await(store.close());
    } finally {
      TestStores.await(vertx.close());
    }
  }

  @Test
  void syncingHoldsDeltasThenLiveDropsDuplicates() throws Exception {
    Opened s = open(1 << 20);
    Delta fourth = next();
    on(
        s,
        () -> {
          s.session.resync(null, "env");
          assertEquals(Session.Mode.SYNCING, s.session.mode());
          s.session.deliver(fourth); // arrives while the snapshot is read: held
          return null;
        });
    await(() -> s.session.mode() == Session.Mode.LIVE, "live after the snapshot");
    assertEquals(fourth.epoch() + ":4", s.session.position(), "the snapshot already shows seq 4");
    assertFalse(
        received.contains(fourth.frameFor(false).toString()), "so the held copy of it is not sent");
    Delta fifth = next();
    on(
        s,
        () -> {
          s.session.deliver(fourth);
          s.session.deliver(fifth);
          return null;
        });
    await(() -> received.contains(fifth.frameFor(false).toString()), "the next delta");
    assertFalse(received.contains(fourth.frameFor(false).toString()), "a duplicate is dropped");
    assertEquals(1, received.stream().filter(fifth.frameFor(false).toString()::equals).count());
    assertEquals(fourth.epoch() + ":5", s.session.position());
  }

  @Test
  void aGapInLiveModeResyncsFromSince() throws Exception {
    Opened s = live();
    Delta fourth = next();
    Delta fifth = next();
    on(
        s,
        () -> {
          s.session.deliver(fifth); // seq 4 never came
          assertEquals(Session.Mode.SYNCING, s.session.mode());
          return null;
        });
    await(
        () ->
            received.contains(fifth.frameFor(false).toString())
                && s.session.mode() == Session.Mode.LIVE,
        "re-synced from since");
    assertTrue(
        received.indexOf(fourth.frameFor(false).toString())
            < received.indexOf(fifth.frameFor(false).toString()),
        "the missing delta first, from the store");
    assertEquals(1, metrics.view(0, 0, 0, 0, 0).gapsRepaired());
  }

  @Test
  void anOverflowedSessionDropsDeltasAndResyncsWithASnapshotOnceDrained() throws Exception {
    Opened s = live(1);
    Delta fourth = next();
    on(
        s,
        () -> {
          s.session.deliver(fourth); // past the 1-byte queue bound
          return null;
        });
    await(
        () -> received.stream().anyMatch(m -> m.contains("\"overflow\"")),
        "a snapshot flagged overflow");
    await(() -> s.session.mode() == Session.Mode.LIVE, "live again");
    assertFalse(
        received.contains(fourth.frameFor(false).toString()),
        "the delta was dropped, the snapshot has it");
    assertEquals(1, metrics.view(0, 0, 0, 0, 0).dropped());
  }

  @Test
  void aClosedSessionIgnoresDeltas() throws Exception {
    Opened s = live();
    Delta fourth = next();
    on(
        s,
        () -> {
          s.session.close((short) 1000, "bye");
          s.session.deliver(fourth);
          return null;
        });
    assertEquals(Session.Mode.CLOSED, s.session.mode());
    assertEquals(0, metrics.view(0, 0, 0, 0, 0).delivered());
  }

  /** A session at seq 3, live. */
  private Opened live() throws Exception {
    return live(1 << 20);
  }

  private Opened live(int queueLimit) throws Exception {
    Opened s = open(queueLimit);
    on(
        s,
        () -> {
          s.session.resync(null, "env");
          return null;
        });
    await(() -> s.session.mode() == Session.Mode.LIVE, "live after the snapshot");
    return s;
  }

  private Delta next() throws Exception {
    return TestStores.await(store.apply(TASK, TestStores.append(deltas.size()))).deltas().get(0);
  }

  record Opened(Session session, Context context) {}

  private Opened open(int queueLimit) throws Exception {
    CompletableFuture<Opened> opened = new CompletableFuture<>();
    SocketRequest request = new SocketRequest(TASK, "main", null, false, true, false, 0);
    server =
        TestStores.await(
            vertx
                .createHttpServer()
                .webSocketHandler(
                    ws ->
                        opened.complete(
                            new Opened(
                                new Session(
                                    "sid-1",
                                    request,
                                    "alice",
                                    false,
                                    ws,
                                    store,
                                    metrics,
                                    queueLimit),
                                Vertx.currentContext())))
                .listen(0, "127.0.0.1"));
    WebSocketClient client = vertx.createWebSocketClient();
    var ws = client.webSocket();
    ws.textMessageHandler(received::add);
    TestStores.await(
        ws.connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(server.actualPort())
                .setURI("/socket")));
    return opened.get(30, TimeUnit.SECONDS);
  }

  private static <T> T on(Opened s, Callable<T> work) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    s.context.runOnContext(
        v -> {
          try {
            done.complete(work.call());
          } catch (Throwable e) {
            done.completeExceptionally(e);
          }
        });
    return done.get(30, TimeUnit.SECONDS);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(10);
    }
  }
}
