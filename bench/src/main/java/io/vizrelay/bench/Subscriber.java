package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One browser-like socket of one task. Confined to its event-loop context. It checks seq continuity
 * after the {@code sync} frame (gaps, duplicates, re-syncs) and, for frames carrying a latency
 * marker k, records {@code receive time - send time of k} (same JVM, {@code nanoTime}).
 */
final class Subscriber {
  /** What the subscriber saw, read on its own context. */
  record Summary(
      long liveFrames,
      long gaps,
      long dups,
      long resyncs,
      long bytes,
      LongList markers,
      LongList latencies,
      long syncedNanos,
      Map<String, Long> resyncKinds) {}

  private final Context context;
  private final AtomicLongArray sendNanos;
  private final Promise<Void> synced = Promise.promise();
  private final LongList markers = new LongList(256);
  private final LongList latencies = new LongList(256);
  private ClientWebSocket ws;
  private Buffer partial;
  private boolean sawSync;
  private long lastSeq = -1;
  private long liveFrames;
  private long gaps;
  private long dups;
  private long resyncs;

  /** Extra {@code sync} frames by {@code mode/reason} (e.g. {@code resume/gap}). */
  private final Map<String, Long> resyncKinds = new TreeMap<>();

  private long bytes;
  private long connectStart;
  private long syncedNanos;

  Subscriber(Context context, AtomicLongArray sendNanos) {
    this.context = context;
    this.sendNanos = sendNanos;
  }

  /** Connects and resolves once the initial snapshot (through its {@code layout} frame) arrived. */
  Future<Void> connect(WebSocketClient client, int port, String uri) {
    context.runOnContext(
        v -> {
          connectStart = System.nanoTime();
          ws = client.webSocket();
          ws.frameHandler(this::onFrame);
          ws.exceptionHandler(err -> synced.tryFail(err));
          ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
              .onFailure(synced::tryFail);
        });
    return synced.future();
  }

  private void onFrame(WebSocketFrame frame) {
    if (!frame.isText() && !frame.isContinuation()) {
      return;
    }
    long received = System.nanoTime();
    if (!frame.isFinal()) {
      partial =
          partial == null ? frame.binaryData().copy() : partial.appendBuffer(frame.binaryData());
      return;
    }
    Buffer data = partial == null ? frame.binaryData() : partial.appendBuffer(frame.binaryData());
    partial = null;
    bytes += data.length();
    onMessage(data.getBytes(), received);
  }

  private void onMessage(byte[] message, long received) {
    if (!sawSync || synced.future().isComplete()) {
      FrameScan.Scanned s = FrameScan.scan(message);
      if ("sync".equals(s.command())) {
        if (sawSync) {
          resyncs++;
          resyncKinds.merge(s.mode() + "/" + s.reason(), 1L, Long::sum);
        }
        sawSync = true;
        lastSeq = s.seq();
        return;
      }
      if (s.seq() >= 0 && sawSync) {
        onLive(s, received);
      }
      return;
    }
    // inside the initial snapshot: only look for its end
    if (FrameScan.isLayout(message)) {
      syncedNanos = received - connectStart;
      synced.tryComplete();
    }
  }

  private void onLive(FrameScan.Scanned s, long received) {
    liveFrames++;
    if (s.seq() <= lastSeq) {
      dups++;
      return;
    }
    if (s.seq() > lastSeq + 1) {
      gaps += s.seq() - lastSeq - 1;
    }
    lastSeq = s.seq();
    long k = s.marker();
    if (k >= 0 && k < sendNanos.length()) {
      long sent = sendNanos.get((int) k);
      if (sent > 0) {
        markers.add(k);
        latencies.add(received - sent);
      }
    }
  }

  Future<Summary> summary() {
    Promise<Summary> p = Promise.promise();
    context.runOnContext(
        v ->
            p.complete(
                new Summary(
                    liveFrames,
                    gaps,
                    dups,
                    resyncs,
                    bytes,
                    markers,
                    latencies,
                    syncedNanos,
                    Map.copyOf(resyncKinds))));
    return p.future();
  }

  Future<Void> close() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(
        v -> {
          if (ws == null || ws.isClosed()) {
            p.complete();
          } else {
            ws.close().onComplete(ar -> p.complete());
          }
        });
    return p.future();
  }
}
