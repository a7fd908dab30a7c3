package io.vizrelay.taskinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vizrelay.common.bus.Addresses;
import io.vizrelay.common.model.TaskSeen;
import io.vizrelay.common.model.TasksSeen;
import io.vizrelay.ingest.ActivityReporter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class HeartbeatBatchingTest {
  private static final int POINTS = 10_000;
  private static final List<String> TASKS = List.of("alice-mnist", "bob-cifar", "default");

  @TempDir Path dir;

  @Test
  void tenThousandPointsTakeAHandfulOfBusMessages(Vertx vertx) throws Exception {
    Harness h = Harness.start(vertx, dir);
    AtomicInteger messages = new AtomicInteger();
    AtomicLong events = new AtomicLong();
    // a spy on the outbound side: the batches are sent (one taskinfo replica takes each), so a
    // second
    // consumer would steal some of them from the registry
    vertx
        .eventBus()
        .<Buffer>addOutboundInterceptor(
            ctx -> {
              if (Addresses.TASKS_SEEN.equals(ctx.message().address())) {
                messages.incrementAndGet();
                Bodies.decodeTrusted(ctx.message().body().getBytes(), TasksSeen.class)
                    .tasks()
                    .stream()
                    .mapToLong(TaskSeen::events)
                    .forEach(events::addAndGet);
              }
              ctx.next();
            });
    ActivityReporter reporter = new ActivityReporter(vertx);
    reporter.start();

    for (int point = 1; point <= POINTS; point++) {
      reporter.seen(TASKS.get(point % TASKS.size()), point, 1);
    }
    reporter.stop();

    Harness.eventually("all points reported", () -> events.get() == POINTS);
    assertTrue(
        messages.get() <= 3, () -> messages.get() + " bus messages for " + POINTS + " points");
    Harness.eventually(
        "registry saw the last points",
        () ->
            TASKS.stream()
                .allMatch(
                    id ->
                        h.get("/api/tasks/" + id).json().path("last_seq").asLong() >= POINTS - 2));
    assertEquals(
        TASKS.size(),
        TASKS.stream().filter(id -> h.get("/api/tasks/" + id).status() == 200).count());
    h.close();
  }
}
