package io.vizrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vizrelay.common.json.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A synthetic training job that posts over HTTP exactly as the visdom Python client does (with the
 * platform's {@code task_id} in every body): train/val loss and accuracy curves that grow every
 * {@link #STEP_MS}, a text log, and an image that changes every epoch. It registers as {@code
 * stoppable} and honours Stop like a job under {@code vizrelay run}: it waits on the task's control
 * endpoint (a long-poll), and a stop request ends its training and reports it {@code stopped} with
 * exit code {@value #STOPPED_EXIT_CODE} (what SIGTERM gives a launched job).
 */
public final class DemoJob extends VerticleBase {
  public static final String TASK_ID = "demo-mnist";

  /** Interval between training steps. */
  static final long STEP_MS = 500;

  static final int STEPS_PER_EPOCH = 20;

  /**
   * Exit code reported when stopped: 128 + SIGTERM, as for a command under {@code vizrelay run}.
   */
  static final int STOPPED_EXIT_CODE = 143;

  /**
   * How long one control long-poll parks on the server, and the wait before polling again after an
   * error.
   */
  static final int CONTROL_TIMEOUT_S = 30;

  static final long CONTROL_RETRY_MS = 1000;

  private final String baseUrl;
  private final String taskId;
  private final Random random = new Random(7);
  private HttpClient client;
  private long timer;
  private int step;
  private volatile boolean ended;

  /** {@code Authorization} header value when the server has auth on, else null. */
  private final String authorization;

  public DemoJob(String baseUrl, String taskId) {
    this(baseUrl, taskId, null);
  }

  public DemoJob(String baseUrl, String taskId, String authorization) {
    this.baseUrl = baseUrl;
    this.taskId = taskId;
    this.authorization = authorization;
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    return post("/api/tasks", registration())
        .compose(v -> post("/env/main", Json.object().put("eid", "main").put("task_id", taskId)))
        .compose(
            v ->
                post(
                    "/events",
                    text("log", "Training started: demo MNIST classifier", "training log")))
        .onSuccess(
            v -> {
              timer = vertx.setPeriodic(STEP_MS, id -> step());
              awaitStop();
            });
  }

  @Override
  public Future<?> stop() {
    ended = true;
    vertx.cancelTimer(timer);
    return client.close();
  }

  private ObjectNode registration() {
    ObjectNode body =
        Json.object().put("task_id", taskId).put("kind", "train").put("stoppable", true);
    body.putObject("meta").put("launcher", "demo job");
    return body;
  }

  /**
   * One control long-poll at a time: a stop ends the run; an error waits a moment, then polls
   * again.
   */
  private void awaitStop() {
    if (ended) {
      return;
    }
    get("/api/tasks/" + taskId + "/control?timeout=" + CONTROL_TIMEOUT_S)
        .onComplete(
            ar -> {
              if (ended) {
                return;
              }
              if (ar.failed() || ar.result() == null) {
                vertx.setTimer(CONTROL_RETRY_MS, id -> awaitStop());
              } else if (ar.result().path("stop").asBoolean(false)) {
                endRun();
              } else if (!"running".equals(ar.result().path("status").asText())
                  && !"lost".equals(ar.result().path("status").asText())) {
                ended = true; // finished by someone else: nothing left to wait for
                vertx.cancelTimer(timer);
              } else {
                awaitStop();
              }
            });
  }

  /** A stop was requested: training ends, the log says so, the registry hears {@code stopped}. */
  private void endRun() {
    ended = true;
    vertx.cancelTimer(timer);
    post("/update", appendText("log", "Stop requested: training stopped at step " + step))
        .compose(
            v ->
                post(
                    "/api/tasks/" + taskId + "/finish",
                    Json.object().put("status", "stopped").put("exit_code", STOPPED_EXIT_CODE)));
  }

  private void step() {
    step++;
    double t = step / (double) STEPS_PER_EPOCH;
    double train = 2.3 * Math.exp(-1.2 * t) + 0.05 + noise(0.04);
    double val = 2.3 * Math.exp(-1.0 * t) + 0.12 + noise(0.03);
    double acc = Math.min(1.0, 0.98 - 0.88 * Math.exp(-1.5 * t) + noise(0.01));
    post("/update", line("loss", step, train, "train", "Loss"));
    post("/update", line("loss", step, val, "val", "Loss"));
    post("/update", line("accuracy", step, acc, "accuracy", "Accuracy"));
    if (step % STEPS_PER_EPOCH == 0) {
      int epoch = step / STEPS_PER_EPOCH;
      post(
          "/update",
          appendText(
              "log",
              String.format("epoch %d: loss %.4f, val %.4f, acc %.3f", epoch, train, val, acc)));
      post("/events", image("samples", epoch));
    }
  }

  private double noise(double scale) {
    return (random.nextDouble() - 0.5) * 2 * scale;
  }

  private ObjectNode base(String win) {
    return Json.object().put("task_id", taskId).put("win", win).put("eid", "main");
  }

  /** A visdom {@code line(..., name=, update='append')} request. */
  private ObjectNode line(String win, double x, double y, String name, String title) {
    ObjectNode body = base(win);
    ObjectNode trace = body.putArray("data").addObject();
    trace.putArray("x").add(x);
    trace.putArray("y").add(y);
    trace.put("name", name).put("type", "scatter").put("mode", "lines");
    body.putObject("layout").put("title", title).put("showlegend", true);
    body.putObject("opts").put("title", title).put("showlegend", true);
    return body.put("name", name).put("append", true);
  }

  private ObjectNode text(String win, String content, String title) {
    ObjectNode body = base(win);
    body.putArray("data").addObject().put("content", content).put("type", "text");
    body.putObject("opts").put("title", title);
    return body;
  }

  private ObjectNode appendText(String win, String content) {
    ObjectNode body = text(win, content, "training log");
    return body.put("append", true);
  }

  private ObjectNode image(String win, int epoch) {
    ObjectNode body = base(win);
    ArrayNode data = body.putArray("data");
    ObjectNode content = data.addObject().put("type", "image").putObject("content");
    content
        .put("src", "data:image/png;base64," + png(epoch))
        .put("caption", "samples, epoch " + epoch);
    body.putObject("opts").put("title", "samples").put("caption", "samples, epoch " + epoch);
    return body;
  }

  private static String png(int epoch) {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int r = (x * 4 + epoch * 30) & 0xff;
        int g = (y * 4) & 0xff;
        int b = ((x ^ y) * 4 + epoch * 10) & 0xff;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return Base64.getEncoder().encodeToString(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Future<Void> post(String path, ObjectNode body) {
    return client
        .request(options(HttpMethod.POST, path))
        .compose(req -> req.send(Buffer.buffer(Json.bytes(body))))
        .compose(resp -> resp.body().map(b -> (Void) null));
  }

  /** The JSON body of a 2xx answer, else null. */
  private Future<JsonNode> get(String path) {
    return client
        .request(options(HttpMethod.GET, path))
        .compose(req -> req.send())
        .compose(
            resp ->
                resp.body()
                    .map(b -> resp.statusCode() < 300 ? Json.parseTrusted(b.getBytes()) : null));
  }

  private RequestOptions options(HttpMethod method, String path) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(baseUrl + path);
    if (authorization != null) {
      options.putHeader(io.vertx.core.http.HttpHeaders.AUTHORIZATION, authorization);
    }
    return options;
  }
}
