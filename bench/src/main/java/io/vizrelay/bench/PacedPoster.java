package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An open-loop poster: one 1-point append per tick at a fixed rate, whose x and y are the update's
 * index k (the latency marker); {@code sendNanos[k]} is set just before the request is written. Up
 * to {@link #MAX_IN_FLIGHT} requests outstanding over {@link #CONNECTIONS} keep-alive connections,
 * so a slow fsync delays but does not thin out the stream.
 */
final class PacedPoster {
  static final int CONNECTIONS = 4;
  static final int MAX_IN_FLIGHT = 64;

  private final Context context;
  private final HttpPoster http;
  private final String taskId;
  private final String win;
  private final double rate;
  private final AtomicLongArray sendNanos;
  private final Promise<Void> stopped = Promise.promise();
  private long timer;
  private long start;
  private volatile long sent;
  private volatile long ok;
  private volatile long failed;
  private volatile String firstError;
  private int inFlight;
  private volatile boolean running = true;

  PacedPoster(
      Vertx vertx,
      Context context,
      int port,
      String taskId,
      String win,
      double rate,
      AtomicLongArray sendNanos) {
    this.context = context;
    this.http = new HttpPoster(vertx, port, CONNECTIONS, 1);
    this.taskId = taskId;
    this.win = win;
    this.rate = rate;
    this.sendNanos = sendNanos;
  }

  void start() {
    context.runOnContext(
        v -> {
          start = System.nanoTime();
          timer = context.owner().setPeriodic(1, id -> tick());
        });
  }

  /** Markers sent so far: rep boundaries are taken from this. */
  long sent() {
    return sent;
  }

  long ok() {
    return ok;
  }

  long failed() {
    return failed;
  }

  String firstError() {
    return firstError;
  }

  /** Stops sending; resolves once every outstanding request has an answer. */
  Future<Void> stop() {
    running = false;
    return stopped.future();
  }

  private void tick() {
    if (!running) {
      context.owner().cancelTimer(timer);
      maybeStopped();
      return;
    }
    long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
    while (sent < due && inFlight < MAX_IN_FLIGHT && sent < sendNanos.length()) {
      send(sent);
      sent = sent + 1;
    }
  }

  private void send(long k) {
    inFlight++;
    var body = PlotBodies.marker(taskId, win, k);
    sendNanos.set((int) k, System.nanoTime());
    http.post("/update", body)
        .onComplete(
            ar -> {
              inFlight--;
              if (ar.succeeded() && ar.result().ok()) {
                ok = ok + 1;
              } else {
                failed = failed + 1;
                if (firstError == null) {
                  firstError =
                      ar.succeeded()
                          ? "HTTP " + ar.result().status() + " " + ar.result().body()
                          : ar.cause().toString();
                }
              }
              maybeStopped();
            });
  }

  private void maybeStopped() {
    if (!running && inFlight == 0 && !stopped.future().isComplete()) {
      http.close();
      stopped.complete();
    }
  }
}
