package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.store.embedded.EmbeddedTaskStore;
import io.vizrelay.common.visdom.VisdomCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the store tests send and read: one-point appends to window {@code loss} of env {@code main}.
 */
public final class StoreFixtures {
  private StoreFixtures() {}

  /**
   * Appends the point (x, 2x) to trace {@code train} of window {@code loss} in env {@code main}.
   */
  public static VisdomCommand append(double x) {
    ObjectNode trace = Json.object();
    trace.putArray("x").add(x);
    trace.putArray("y").add(x * 2);
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    ArrayNode data = Json.NODES.arrayNode().add(trace);
    return new VisdomCommand.UpdateWindow(
        "main", "loss", data, Json.object(), Json.object(), "train", true, false, null);
  }

  /** The x values of window {@code loss}'s first trace, as the store answers {@code /win_data}. */
  public static List<Double> xs(EmbeddedTaskStore store, String task) throws Exception {
    Applied applied = await(store.apply(task, new VisdomCommand.GetWinData("main", "loss")));
    JsonNode window = Json.parseTrusted(applied.reply().body().getBytes(StandardCharsets.UTF_8));
    List<Double> out = new ArrayList<>();
    window.path("content").path("data").path(0).path("x").forEach(n -> out.add(n.asDouble()));
    return out;
  }

  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
