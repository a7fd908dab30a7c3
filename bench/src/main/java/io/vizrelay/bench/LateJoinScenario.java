package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.zip.Deflater;

/**
 * Late join: a socket opens on a task whose one line window holds 10k or 1M points; measured from
 * the connect call to the {@code layout} frame that ends the snapshot, with the message bytes
 * received. Twice: a plain client, and a browser-like one that negotiates permessage-deflate
 * (browsers always offer it; Vert.x servers accept it by default).
 */
final class LateJoinScenario implements Scenario {
  static final int[] WINDOW_POINTS = {10_000, 1_000_000};
  static final int FILL_CHUNK = 10_000;

  /** One join: wall time to the layout frame, payload bytes, messages, largest message. */
  record Join(long nanos, long bytes, int messages, long largest, byte[] payload) {}

  @Override
  public String name() {
    return "late-join";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Table t =
        new Table(
            "Late join: connect → snapshot complete (`layout` frame), vizrelay",
            "window",
            "client",
            "time p50 (min–max) ms",
            "payload bytes",
            "bytes/point",
            "deflated (estimate)",
            "messages",
            "runs");
    Context context = EventLoops.contexts(ctx.vertx, 1).get(0);
    WebSocketClientOptions base =
        new WebSocketClientOptions()
            .setMaxFrameSize(256 << 20)
            .setMaxMessageSize(256 << 20)
            .setConnectTimeout(30_000);
    WebSocketClient plain = ctx.vertx.createWebSocketClient(new WebSocketClientOptions(base));
    WebSocketClient deflate =
        ctx.vertx.createWebSocketClient(
            new WebSocketClientOptions(base).setTryUsePerMessageCompression(true));
    try (ServerProcess server = ctx.vizrelay("always")) {
      for (int points : WINDOW_POINTS) {
        String task = "bench-join-" + points;
        fill(ctx, server, task, points);
        int runs = points > 100_000 ? ctx.pick(3, 1) : ctx.pick(9, 3);
        for (var client : List.of(plain, deflate)) {
          boolean compressed = client == deflate;
          if (points == WINDOW_POINTS[0]) {
            warmUp(ctx, context, client, server, task);
          }
          LongList times = new LongList();
          Join last = null;
          for (int i = 0; i < runs + 1; i++) {
            Join j =
                RelayMeasurement.await(
                    join(context, client, server.port, "/socket?task_id=" + task, i == runs));
            if (i > 0) {
              times.add(j.nanos()); // the first join is a warm-up
            }
            last = j;
          }
          long[] sorted = times.toArray();
          java.util.Arrays.sort(sorted);
          long p50 = Stats.percentile(sorted, 50);
          long deflated = compressed ? deflatedSize(last.payload()) : -1;
          t.row(
              points / 1000 + "k points",
              compressed ? "permessage-deflate" : "plain",
              Stats.ms(p50)
                  + " ("
                  + Stats.ms(sorted[0])
                  + "–"
                  + Stats.ms(sorted[sorted.length - 1])
                  + ")",
              Table.bytes(last.bytes()),
              String.format("%.1f", last.bytes() / (double) points),
              compressed ? Table.bytes(deflated) : "",
              last.messages(),
              runs);
          ctx.log(
              "late join %d points %s: p50 %s ms, %d bytes",
              points, compressed ? "deflate" : "plain", Stats.ms(p50), last.bytes());
          if (points == 10_000 && !compressed) {
            ctx.targets.add(
                "late join of a 10k-point window < 5 ms",
                Stats.ms(p50) + " ms (p50, plain client)",
                p50 < 5_000_000L);
            ctx.targets.add(
                "late join of a 10k-point window ≤ 130 KB",
                Table.bytes(last.bytes()) + " payload",
                last.bytes() <= 130 * 1024);
          }
        }
      }
    } finally {
      plain.close();
      deflate.close();
    }
    t.note(
        "Payload = WebSocket message bytes (register, layout_update, env_update, sync, reload, window, layout),"
            + " excluding 2–14 B of framing per message. Points: integer x, 4-decimal y (see PlotBodies).");
    t.note(
        "With permessage-deflate the bytes counted are after inflation; the deflated column estimates the wire"
            + " size (java.util.zip level 6 over the same payload).");
    t.note(
        "The first join of each row is a warm-up and is not counted; before the 10k rows, each client joins in"
            + " unrecorded 1 s rounds until the server's JIT compiler threads are nearly idle (at most 30 s).");
    ctx.tables.add(t);
  }

  /**
   * Unrecorded joins in rounds of {@link JitWarmup#MIN_ROUND} until the server's JIT is quiet (at
   * most 30 s).
   */
  private static void warmUp(
      BenchContext ctx, Context context, WebSocketClient client, ServerProcess server, String task)
      throws Exception {
    JitWarmup.until(
        ctx,
        "late-join",
        List.of(server.pid()),
        Duration.ofSeconds(30),
        round -> {
          long t0 = System.nanoTime();
          do {
            RelayMeasurement.await(
                join(context, client, server.port, "/socket?task_id=" + task, false));
          } while (System.nanoTime() - t0 < JitWarmup.MIN_ROUND.toNanos());
        });
  }

  static void fill(BenchContext ctx, ServerProcess server, String task, int points)
      throws Exception {
    for (int x = 0; x < points; x += FILL_CHUNK) {
      AdminClient.post(
          server, "/update", PlotBodies.append(task, "loss", x, Math.min(FILL_CHUNK, points - x)));
    }
  }

  /** One socket joining at {@code uri} on {@code context}, until its snapshot's layout frame. */
  static Future<Join> join(
      Context context, WebSocketClient client, int port, String uri, boolean keepPayload) {
    Promise<Join> done = Promise.promise();
    context.runOnContext(v -> new Probe(client, keepPayload, done).start(port, uri));
    return done.future();
  }

  /** One joining socket, confined to its context. */
  private static final class Probe {
    private final WebSocketClient client;
    private final ByteArrayOutputStream payload;
    private final Promise<Join> done;
    private Buffer partial;
    private long start;
    private long bytes;
    private long largest;
    private int messages;
    private ClientWebSocket ws;

    Probe(WebSocketClient client, boolean keepPayload, Promise<Join> done) {
      this.client = client;
      this.payload = keepPayload ? new ByteArrayOutputStream() : null;
      this.done = done;
    }

    void start(int port, String uri) {
      start = System.nanoTime();
      ws = client.webSocket();
      ws.frameHandler(this::onFrame);
      ws.exceptionHandler(done::tryFail);
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
          .onFailure(done::tryFail);
    }

    private void onFrame(WebSocketFrame frame) {
      if (!frame.isText() && !frame.isContinuation()) {
        return;
      }
      if (!frame.isFinal()) {
        partial =
            partial == null ? frame.binaryData().copy() : partial.appendBuffer(frame.binaryData());
        return;
      }
      Buffer data = partial == null ? frame.binaryData() : partial.appendBuffer(frame.binaryData());
      partial = null;
      messages++;
      bytes += data.length();
      largest = Math.max(largest, data.length());
      byte[] message = data.getBytes();
      if (payload != null) {
        payload.writeBytes(message);
      }
      if (FrameScan.isLayout(message)) {
        long nanos = System.nanoTime() - start;
        ws.close();
        done.tryComplete(
            new Join(
                nanos, bytes, messages, largest, payload == null ? null : payload.toByteArray()));
      }
    }
  }

  private static long deflatedSize(byte[] data) {
    Deflater d = new Deflater(6);
    d.setInput(data);
    d.finish();
    byte[] buf = new byte[1 << 16];
    long total = 0;
    while (!d.finished()) {
      total += d.deflate(buf);
    }
    d.end();
    return total;
  }
}
