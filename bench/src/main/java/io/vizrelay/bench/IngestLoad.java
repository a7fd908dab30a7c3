package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop ingest load: {@code posters} clients, each with its own keep-alive connection on
 * its own event loop, each with {@code depth} request(s) outstanding (1 = the real visdom client),
 * appending {@code points} points per {@code POST /update} to its own task's window. A poster
 * starts a new window once the current one holds {@code rotateAtPoints} (so window growth does not
 * leak into the P x N figures; the window-size effect has its own scenario).
 *
 * <p>The run is a warm-up followed by equal measured slices; each slice yields one rate sample.
 */
final class IngestLoad {
  /**
   * P posters x N points per request, {@code depth} outstanding per poster; with {@code asksFirst}
   * each append is the visdom client's pair, {@code POST /win_exists} then {@code POST /update}
   * ({@code line(update='append')} asks first), and a "request" of the results is one such append.
   */
  record Shape(int posters, int points, int depth, boolean asksFirst) {
    Shape(int posters, int points, int depth) {
      this(posters, points, depth, false);
    }

    String label() {
      return posters
          + "x"
          + points
          + (asksFirst ? "w (win_exists + update)" : "")
          + (depth > 1 ? " (pipelined " + depth + ")" : "");
    }
  }

  /** Warm-up, then {@code slices} measured slices of {@code slice} each. */
  record Timing(Duration warmup, int slices, Duration slice) {}

  /** Where each poster appends: its task, its first window, and when to roll to a new one. */
  record Target(String taskPrefix, String winPrefix, long rotateAtPoints) {}

  /**
   * Rates per measured slice (requests/s), request latency over all slices, costs (busy cores, and
   * the server's CPU per thread).
   */
  record Result(
      Shape shape,
      List<Double> requestRates,
      LongList samples,
      Stats.Latency latency,
      long errors,
      String firstError,
      double serverCores,
      double benchCores,
      double otherCores,
      ThreadCpu threads) {
    /** Pools repeated runs of one shape: all rate samples, all latencies, mean CPU. */
    static Result merge(List<Result> runs) {
      List<Double> rates = new ArrayList<>();
      LongList samples = new LongList();
      long errors = 0;
      String first = null;
      double[] cores = new double[3];
      for (Result r : runs) {
        rates.addAll(r.requestRates());
        samples.addAll(r.samples());
        errors += r.errors();
        first = first != null ? first : r.firstError();
        cores[0] += r.serverCores() / runs.size();
        cores[1] += r.benchCores() / runs.size();
        cores[2] += r.otherCores() / runs.size();
      }
      return new Result(
          runs.get(0).shape(),
          rates,
          samples,
          Stats.latency(samples),
          errors,
          first,
          cores[0],
          cores[1],
          cores[2],
          ThreadCpu.pool(runs.stream().map(Result::threads).toList()));
    }

    double medianRequests() {
      return Stats.median(requestRates);
    }

    double medianPoints() {
      return medianRequests() * shape.points();
    }

    /** Server CPU µs per request: the server's busy cores over the median request rate. */
    double cpuPerRequest() {
      return serverCores * 1e6 / medianRequests();
    }
  }

  private final Vertx vertx;
  private final ServerProcess server;
  private final Shape shape;
  private final Target target;
  private final LongAdder completed = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private volatile boolean running = true;
  private volatile boolean measuring;

  IngestLoad(Vertx vertx, ServerProcess server, Shape shape, Target target) {
    this.vertx = vertx;
    this.server = server;
    this.shape = shape;
    this.target = target;
  }

  Result run(Timing timing) throws Exception {
    List<Poster> posters = new ArrayList<>();
    List<Future<Void>> done = new ArrayList<>();
    List<Context> contexts = EventLoops.contexts(vertx, shape.posters());
    for (int i = 0; i < shape.posters(); i++) {
      Poster p = new Poster(i, contexts.get(i));
      posters.add(p);
      done.add(p.start());
    }
    Thread.sleep(timing.warmup().toMillis());
    ProcStats.Meter cpu = ProcStats.Meter.start(server.pid());
    List<Double> rates = new ArrayList<>();
    measuring = true;
    for (int s = 0; s < timing.slices(); s++) {
      long c0 = completed.sum();
      long t0 = System.nanoTime();
      Thread.sleep(timing.slice().toMillis());
      long c1 = completed.sum();
      rates.add((c1 - c0) / ((System.nanoTime() - t0) / 1e9));
    }
    measuring = false;
    ProcStats.Reading used = cpu.read();
    running = false;
    Future.all(done).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    LongList latencies = new LongList();
    for (Poster p : posters) {
      latencies.addAll(p.latencies);
      p.http.close();
    }
    cleanUp();
    return new Result(
        shape,
        rates,
        latencies,
        Stats.latency(latencies),
        errors.sum(),
        firstError.get(),
        used.serverCores(),
        used.benchCores(),
        used.otherCores(),
        used.threads());
  }

  /** Closes the posters' windows so the next run starts from a small server heap. */
  private void cleanUp() {
    try {
      for (int i = 0; i < shape.posters(); i++) {
        AdminClient.post(server, "/close", PlotBodies.closeAll(taskId(i)));
      }
    } catch (Exception e) {
      firstError.compareAndSet(null, "closing the bench windows failed: " + e);
    }
  }

  private String taskId(int poster) {
    return target.taskPrefix() + "-p" + poster;
  }

  /** One client: its connection, its window, its latency samples (confined to its context). */
  private final class Poster {
    final int index;
    final Context context;
    final HttpPoster http;
    final LongList latencies = new LongList(1 << 16);
    int window;
    long pointsInWindow;
    long nextX;
    Buffer body;
    Buffer question;
    int chainsRunning;
    final Promise<Void> stopped = Promise.promise();

    Poster(int index, Context context) {
      this.index = index;
      this.context = context;
      this.http = new HttpPoster(vertx, server.port, 1, shape.depth());
      aimAtWindow();
    }

    Future<Void> start() {
      context.runOnContext(
          v -> {
            chainsRunning = shape.depth();
            for (int d = 0; d < shape.depth(); d++) {
              send();
            }
          });
      return stopped.future();
    }

    /** The bodies for the current window: the append, and the client's question before it. */
    private void aimAtWindow() {
      String win = target.winPrefix() + "-" + window;
      body = PlotBodies.append(taskId(index), win, nextX, shape.points());
      question = PlotBodies.winExists(taskId(index), win);
    }

    private void send() {
      if (!running) {
        if (--chainsRunning == 0) {
          stopped.complete();
        }
        return;
      }
      long t0 = System.nanoTime();
      Future<HttpPoster.Reply> reply =
          shape.asksFirst()
              ? http.post("/win_exists", question)
                  .compose(r -> r.ok() ? http.post("/update", body) : Future.succeededFuture(r))
              : http.post("/update", body);
      reply.onComplete(
          ar -> {
            if (ar.succeeded() && ar.result().ok()) {
              completed.increment();
              if (measuring) {
                latencies.add(System.nanoTime() - t0);
              }
              advance();
            } else {
              errors.increment();
              firstError.compareAndSet(
                  null,
                  ar.succeeded()
                      ? "HTTP " + ar.result().status() + " " + ar.result().body()
                      : ar.cause().toString());
            }
            send();
          });
    }

    private void advance() {
      pointsInWindow += shape.points();
      nextX += shape.points();
      if (pointsInWindow >= target.rotateAtPoints()) {
        window++;
        pointsInWindow = 0;
        nextX = 0;
        aimAtWindow();
      }
    }
  }
}
