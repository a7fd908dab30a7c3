package io.vizrelay.app;

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
 * A synthetic training job that posts over HTTP exactly as the visdom Python client does (with
 * the platform's {@code task_id} in every body): train/val loss and accuracy curves that grow
 * every {@link #STEP_MS}, a text log, and an image that changes every epoch.
 */
public final class DemoJob extends VerticleBase {
  public static final String TASK_ID = "demo-mnist";
  /** Interval between training steps. */
  static final long STEP_MS = 500;
  static final int STEPS_PER_EPOCH = 20;

  private final String baseUrl;
  private final String taskId;
  private final Random random = new Random(7);
  private HttpClient client;
  private long timer;
  private int step;

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
    return post("/env/main", Json.object().put("eid", "main").put("task_id", taskId))
        .compose(v -> post("/events", text("log", "Training started: demo MNIST classifier", "training log")))
        .onSuccess(v -> timer = vertx.setPeriodic(STEP_MS, id -> step()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return client.close();
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
      post("/update", appendText("log", String.format("epoch %d: loss %.4f, val %.4f, acc %.3f", epoch, train, val, acc)));
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
    content.put("src", "data:image/png;base64," + png(epoch)).put("caption", "samples, epoch " + epoch);
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
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(baseUrl + path);
    if (authorization != null) {
      options.putHeader(io.vertx.core.http.HttpHeaders.AUTHORIZATION, authorization);
    }
    return client.request(options)
        .compose(req -> req.send(Buffer.buffer(Json.bytes(body))))
        .compose(resp -> resp.body().map(b -> (Void) null));
  }
}
