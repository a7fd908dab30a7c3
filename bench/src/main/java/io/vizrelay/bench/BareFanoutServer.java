package io.vizrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fan-out ceiling (issue 16 item 3): a bare Vert.x WebSocket server, started like {@link
 * BareServer} ({@code BareFanoutServer <dataDir> [instances]}, one event loop per instance), that
 * writes the bytes vizrelay would send for an update to every socket and does nothing else.
 *
 * <ul>
 *   <li>{@code POST /frame}: a frame vizrelay delivered for the probe update ({@link
 *       FrameTemplate}); later updates are rendered from it.
 *   <li>{@code POST /update}: an append whose largest y is marker k (the relay poster's body). One
 *       sequencer (the first instance's loop) numbers it, renders the frame once and hands the same
 *       bytes to every instance's loop, which writes them to each of its sockets as one text frame,
 *       zero-copy as vizrelay's {@code Frames.text} does; then 200.
 *   <li>{@code /socket} (WebSocket): a {@code sync} frame with the loop's last seq and a {@code
 *       layout} frame (what the bench's subscriber waits for), then the live frames.
 *   <li>anything else: 200.
 * </ul>
 */
public final class BareFanoutServer {
  private static final Buffer LAYOUT = Buffer.buffer("{\"command\":\"layout\"}");

  private final List<Loop> loops = new CopyOnWriteArrayList<>();
  private volatile FrameTemplate template;

  /** Confined to the sequencer loop. */
  private long seq;

  private BareFanoutServer() {}

  public static void main(String[] args) throws Exception {
    BareServer.serve(args, new BareFanoutServer()::configure);
  }

  private HttpServer configure(HttpServer server, Context context) {
    Loop loop = new Loop(context);
    loops.add(loop);
    return server.requestHandler(req -> handle(req, loop));
  }

  private void handle(HttpServerRequest req, Loop loop) {
    if (req.path().equals("/socket") && req.canUpgradeToWebSocket()) {
      req.toWebSocket().onSuccess(loop::accept);
    } else if (req.path().equals("/frame")) {
      reply(req, req.body().map(this::learn));
    } else if (req.path().equals("/update")) {
      reply(req, req.body().map(this::publish));
    } else {
      BareServer.answer(req);
    }
  }

  /** 200 {@code loss} once {@code done} succeeded, else 400 with the reason. */
  private static void reply(HttpServerRequest req, Future<?> done) {
    done.onComplete(
        (ok, err) ->
            req.response()
                .setStatusCode(err == null ? 200 : 400)
                .end(err == null ? "loss" : String.valueOf(err)));
  }

  private Void learn(Buffer frame) {
    template = FrameTemplate.of(frame.toString());
    return null;
  }

  /** Hands an update to the sequencer, which numbers it and sends its frame to every loop. */
  private Void publish(Buffer update) {
    long marker = FrameScan.scan(update.getBytes()).marker();
    loops.get(0).context.runOnContext(v -> sequence(marker));
    return null;
  }

  private void sequence(long marker) {
    long s = ++seq;
    FrameTemplate t = template;
    Buffer frame = t == null ? null : t.render(s, marker);
    for (Loop loop : loops) {
      loop.context.runOnContext(v -> loop.broadcast(s, frame));
    }
  }

  /** One instance's event loop and its sockets (confined to it). */
  private static final class Loop {
    final Context context;
    final List<ServerWebSocket> sockets = new ArrayList<>();
    long lastSeq;

    Loop(Context context) {
      this.context = context;
    }

    void accept(ServerWebSocket ws) {
      ws.writeFrame(text(Buffer.buffer("{\"command\":\"sync\",\"seq\":" + lastSeq + "}")));
      ws.writeFrame(text(LAYOUT));
      sockets.add(ws);
      ws.closeHandler(v -> sockets.remove(ws));
    }

    void broadcast(long seq, Buffer frame) {
      lastSeq = seq;
      if (frame == null) {
        return;
      }
      for (ServerWebSocket ws : sockets) {
        ws.writeFrame(text(frame));
      }
    }
  }

  /** A text frame over the bytes of {@code utf8}, without copying them (as vizrelay writes). */
  private static WebSocketFrame text(Buffer utf8) {
    return new WebSocketFrameImpl(
        WebSocketFrameType.TEXT, ((BufferInternal) utf8).getByteBuf(), true);
  }
}
