package io.vizrelay.bench;

import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Captures the frame vizrelay delivers to a relay subscriber ({@code /socket?task_id=}, the format
 * the relay scenarios measure) for the one-point append of {@link FrameTemplate#PROBE_MARKER}: the
 * bytes {@link BareFanoutServer} then writes for every update.
 */
final class FrameCapture {
  private static final String TASK = "bench-frame-capture";

  private FrameCapture() {}

  /** The text of the frame, from a window of 100 points like the relay scenarios'. */
  static String capture(BenchContext ctx, RelayTarget target) throws Exception {
    AdminClient.post(
        target.ingestPort(),
        target.alive(),
        "/update",
        PlotBodies.append(TASK, "loss", 0, RelayMeasurement.PREFILL_POINTS));
    WebSocketClient client = RelayMeasurement.newClient(ctx);
    try {
      Promise<Void> synced = Promise.promise();
      Promise<String> probe = Promise.promise();
      ClientWebSocket ws = client.webSocket();
      ws.textMessageHandler(text -> onMessage(text, synced, probe));
      RelayMeasurement.await(
          ws.connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(target.socketPorts().get(0))
                      .setURI("/socket?task_id=" + TASK))
              .compose(v -> synced.future()));
      AdminClient.post(
          target.ingestPort(),
          target.alive(),
          "/update",
          PlotBodies.marker(TASK, "loss", FrameTemplate.PROBE_MARKER));
      return RelayMeasurement.await(probe.future());
    } finally {
      client.close();
      AdminClient.post(target.ingestPort(), target.alive(), "/close", PlotBodies.closeAll(TASK));
    }
  }

  /** Completes {@code synced} at the snapshot's end, {@code probe} with the probe's frame. */
  private static void onMessage(String text, Promise<Void> synced, Promise<String> probe) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (FrameScan.isLayout(bytes)) {
      synced.tryComplete();
    } else if (synced.future().isComplete()
        && FrameScan.scan(bytes).marker() == FrameTemplate.PROBE_MARKER) {
      probe.tryComplete(text);
    }
  }
}
