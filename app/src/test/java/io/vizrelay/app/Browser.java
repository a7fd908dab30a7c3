package io.vizrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test browser: a real WebSocket client that records every frame it gets. {@link #barrier()}
 * sends a WebSocket ping and completes on its pong, which the server writes after every frame it
 * queued before reading the ping (the same technique the visdom corpus was recorded with).
 */
final class Browser {
  private final WebSocket ws;
  private final List<JsonNode> frames = new ArrayList<>();
  private final Map<String, Promise<Void>> pongs = new ConcurrentHashMap<>();
  private final AtomicLong pings = new AtomicLong();

  private Browser(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(
        text -> {
          synchronized (frames) {
            frames.add(Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8)));
            frames.notifyAll();
          }
        });
    ws.pongHandler(
        data -> {
          Promise<Void> p = pongs.remove(data.toString());
          if (p != null) {
            p.complete();
          }
        });
  }

  /** A client for many browsers; keep a reference (Vert.x 5 closes unreachable clients). */
  static WebSocketClient client(Vertx vertx) {
    return vertx.createWebSocketClient(
        new WebSocketClientOptions()
            .setMaxMessageSize(64 * 1024 * 1024)
            .setMaxFrameSize(64 * 1024 * 1024)
            .setMaxConnections(20_000));
  }

  static Future<Browser> connect(WebSocketClient client, int port, String uri) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    // Handlers are set before connecting: a frame the server writes at once (register) must not
    // arrive before anyone listens, whichever thread completes the connect future.
    ClientWebSocket ws = client.webSocket();
    Browser browser = new Browser(ws);
    return ws.connect(options).map(connected -> browser);
  }

  /** Completes once every frame the server sent before it read our ping has arrived. */
  Future<Void> barrier() {
    String id = Long.toString(pings.incrementAndGet());
    Promise<Void> p = Promise.promise();
    pongs.put(id, p);
    ws.writePing(Buffer.buffer(id));
    return p.future();
  }

  List<JsonNode> frames() {
    synchronized (frames) {
      return new ArrayList<>(frames);
    }
  }

  /** Frames of the given command, in arrival order. */
  List<JsonNode> frames(String command) {
    return frames().stream().filter(f -> command.equals(f.path("command").asText())).toList();
  }

  /** Waits (bounded) until a frame matching {@code command} has arrived; returns the first. */
  JsonNode await(String command, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (frames) {
      while (true) {
        for (JsonNode f : frames) {
          if (command.equals(f.path("command").asText())) {
            return f;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError(
              "no '" + command + "' frame within " + timeoutMs + " ms; got " + frames);
        }
        frames.wait(left);
      }
    }
  }

  /**
   * Waits (bounded) until a live frame with a seq of at least {@code seq} has arrived: with several
   * event loops a delta reaches the socket's loop on its own way, so a {@link #barrier} right after
   * the write that made it does not cover it.
   */
  void awaitSeq(long seq, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (frames) {
      while (frames.stream().noneMatch(f -> f.path("seq").asLong(-1) >= seq)) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no frame of seq " + seq + " within " + timeoutMs + " ms");
        }
        frames.wait(left);
      }
    }
  }

  /** Waits (bounded) until {@code count} frames have arrived in total. */
  void awaitCount(int count, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (frames) {
      while (frames.size() < count) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError(
              "only " + frames.size() + " of " + count + " frames within " + timeoutMs + " ms");
        }
        frames.wait(left);
      }
    }
  }

  /**
   * Waits until {@code count} frames arrived, at most {@code timeoutMs}, or until {@code stop}
   * completes (a stream that ended); never fails.
   */
  void awaitCount(int count, long timeoutMs, java.util.concurrent.CompletableFuture<?> stop)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (frames) {
      while (frames.size() < count && !stop.isDone()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return;
        }
        frames.wait(Math.min(left, 50));
      }
    }
  }

  String sid() {
    return frames("register").get(0).path("data").asText();
  }

  void send(String text) {
    ws.writeTextMessage(text);
  }

  WebSocket socket() {
    return ws;
  }

  Future<Void> close() {
    return ws.close();
  }
}
