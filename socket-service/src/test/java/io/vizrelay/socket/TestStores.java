package io.vizrelay.socket;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vizrelay.common.config.VizConfig;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.Delta;
import io.vizrelay.common.store.TaskStore;
import io.vizrelay.common.store.embedded.EmbeddedTaskStore;
import io.vizrelay.common.visdom.VisdomCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real embedded store in a temporary directory, and real deltas of a task made by it. */
final class TestStores {
  private TestStores() {}

  static TaskStore embedded(Vertx vertx, Path dir) throws Exception {
    VizConfig config =
        VizConfig.fromEnv(Map.of("VIZRELAY_DATA_DIR", dir.toString(), "VIZRELAY_FSYNC", "never"));
    return await(EmbeddedTaskStore.open(vertx, config));
  }

  /** {@code n} one-point appends to the window {@code loss}: deltas seq 1..n of one epoch. */
  static List<Delta> appends(TaskStore store, String task, int n) throws Exception {
    List<Delta> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.addAll(await(store.apply(task, append(i))).deltas());
    }
    return out;
  }

  static VisdomCommand append(double x) {
    ObjectNode trace = Json.object();
    trace.putArray("x").add(x);
    trace.putArray("y").add(x * 2);
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    ArrayNode data = Json.NODES.arrayNode().add(trace);
    return new VisdomCommand.UpdateWindow(
        "main", "loss", data, Json.object(), Json.object(), "train", true, false, null);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
