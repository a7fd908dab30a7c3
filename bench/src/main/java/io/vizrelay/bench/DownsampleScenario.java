package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Issue 17: late joins of a 100k- and a 1M-point line window on the page's compact socket, with and
 * without {@code max_points=4000} (time from the connect call to the snapshot's {@code layout}
 * frame, payload bytes, bytes of the window message), and range queries {@code GET .../points} of
 * 10k raw points (random windows of x) and of the whole 1M trace bucketed. The server's JIT is
 * warmed on both before measuring.
 */
final class DownsampleScenario implements Scenario {
  static final int[] WINDOW_POINTS = {100_000, 1_000_000};
  static final int PAGE_BUDGET = 4000;
  static final int RANGE = 10_000;

  @Override
  public String name() {
    return "downsample";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Table joins =
        new Table(
            "Downsampled late join (issue 17): compact socket, connect → `layout` frame",
            "window",
            "max_points",
            "time p50 (min–max) ms",
            "payload bytes",
            "window message bytes",
            "runs");
    Table ranges =
        new Table(
            "Range query (issue 17): GET /api/tasks/{id}/windows/loss/points, 1M-point trace",
            "query",
            "time p50 (min–max) ms",
            "points returned",
            "body bytes",
            "runs");
    Context context = EventLoops.contexts(ctx.vertx, 1).get(0);
    WebSocketClient client =
        ctx.vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(256 << 20)
                .setMaxMessageSize(256 << 20)
                .setConnectTimeout(30_000));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (ServerProcess server = ctx.vizrelay("always")) {
      for (int points : WINDOW_POINTS) {
        LateJoinScenario.fill(ctx, server, task(points), points);
      }
      warmUp(ctx, context, client, http, server);
      for (int points : WINDOW_POINTS) {
        for (int budget : new int[] {0, PAGE_BUDGET}) {
          measureJoin(ctx, joins, context, client, server, points, budget);
        }
      }
      measureRange(ctx, ranges, http, server, RANGE, RANGE, "10k raw points (random x range)");
      measureRange(
          ctx, ranges, http, server, 1_000_000, PAGE_BUDGET, "whole 1M trace, max_points=4000");
    } finally {
      client.close();
    }
    joins.note(
        "max_points – = every point (the visdom page's behaviour before issue 17). Window message bytes ="
            + " the `window` message of the one 1-trace window: what the trace costs on the wire.");
    joins.note(
        "Times are client-observed (they include the WebSocket handshake and the client's receipt), so"
            + " they bound the server time from above. The first join of each row is not counted.");
    ranges.note(
        "Client-observed HTTP/1.1 round trip on a kept-alive connection (JDK HttpClient), median of the runs.");
    ctx.tables.add(joins);
    ctx.tables.add(ranges);
  }

  private static String task(int points) {
    return "bench-m4-" + points;
  }

  private static String socketUri(int points, int budget) {
    return "/socket?task_id="
        + task(points)
        + "&format=compact"
        + (budget > 0 ? "&max_points=" + budget : "");
  }

  private static void warmUp(
      BenchContext ctx, Context context, WebSocketClient client, HttpClient http, ServerProcess s)
      throws Exception {
    Random r = new Random(1);
    JitWarmup.until(
        ctx,
        "downsample",
        List.of(s.pid()),
        Duration.ofSeconds(ctx.pick(40, 15)),
        round -> {
          long t0 = System.nanoTime();
          do {
            RelayMeasurement.await(
                LateJoinScenario.join(
                    context, client, s.port, socketUri(1_000_000, PAGE_BUDGET), false));
            RelayMeasurement.await(
                LateJoinScenario.join(
                    context, client, s.port, socketUri(100_000, PAGE_BUDGET), false));
            for (int i = 0; i < 5; i++) {
              query(http, s, rangePath(r, RANGE, RANGE));
            }
          } while (System.nanoTime() - t0 < JitWarmup.MIN_ROUND.toNanos());
        });
  }

  private static void measureJoin(
      BenchContext ctx,
      Table t,
      Context context,
      WebSocketClient client,
      ServerProcess server,
      int points,
      int budget)
      throws Exception {
    int runs = points > 100_000 && budget == 0 ? ctx.pick(3, 1) : ctx.pick(15, 5);
    long[] times = new long[runs];
    LateJoinScenario.Join last = null;
    for (int i = 0; i <= runs; i++) {
      LateJoinScenario.Join j =
          RelayMeasurement.await(
              LateJoinScenario.join(
                  context, client, server.port, socketUri(points, budget), false));
      if (i > 0) {
        times[i - 1] = j.nanos();
      }
      last = j;
    }
    Arrays.sort(times);
    long p50 = Stats.percentile(times, 50);
    t.row(
        points / 1000 + "k points",
        budget == 0 ? "–" : Integer.toString(budget),
        Stats.ms(p50) + " (" + Stats.ms(times[0]) + "–" + Stats.ms(times[runs - 1]) + ")",
        Table.bytes(last.bytes()),
        Table.bytes(last.largest()),
        runs);
    ctx.log(
        "downsampled join %d points max_points=%d: p50 %s ms, %d bytes (window %d)",
        points, budget, Stats.ms(p50), last.bytes(), last.largest());
    if (points == 1_000_000 && budget == PAGE_BUDGET) {
      ctx.targets.add(
          "late join of a 1M-point trace at max_points=4000 ≤ 100 KB for the trace",
          Table.bytes(last.largest()) + " window message",
          last.largest() <= 100 * 1024);
      ctx.targets.add(
          "late join of a 1M-point trace at max_points=4000 ≤ 50 ms",
          Stats.ms(p50) + " ms (p50, client-observed)",
          p50 <= 50_000_000L);
    }
  }

  private static void measureRange(
      BenchContext ctx,
      Table t,
      HttpClient http,
      ServerProcess server,
      int span,
      int budget,
      String label)
      throws Exception {
    Random r = new Random(7);
    int runs = ctx.pick(41, 11);
    long[] times = new long[runs];
    String body = null;
    for (int i = 0; i < runs; i++) {
      String path = rangePath(r, span, budget);
      long t0 = System.nanoTime();
      body = query(http, server, path);
      times[i] = System.nanoTime() - t0;
    }
    Arrays.sort(times);
    long p50 = Stats.percentile(times, 50);
    int returned = body.split(",").length / 2;
    t.row(
        label,
        Stats.ms(p50) + " (" + Stats.ms(times[0]) + "–" + Stats.ms(times[runs - 1]) + ")",
        "≈" + returned,
        Table.bytes(body.length()),
        runs);
    ctx.log("range %s: p50 %s ms, %d bytes", label, Stats.ms(p50), body.length());
    if (span == RANGE && budget == RANGE) {
      ctx.targets.add(
          "range query of 10k raw points ≤ 20 ms",
          Stats.ms(p50) + " ms (p50, client-observed)",
          p50 <= 20_000_000L);
    }
  }

  /** A range of {@code span} x values inside the 1M-point trace (x = 0 .. 999,999). */
  private static String rangePath(Random r, int span, int budget) {
    int x0 = span >= 1_000_000 ? 0 : r.nextInt(1_000_000 - span);
    return "/api/tasks/"
        + task(1_000_000)
        + "/windows/loss/points?trace=0&x0="
        + x0
        + "&x1="
        + (x0 + span - 1)
        + "&max_points="
        + budget;
  }

  private static String query(HttpClient http, ServerProcess server, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + path))
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }
}
