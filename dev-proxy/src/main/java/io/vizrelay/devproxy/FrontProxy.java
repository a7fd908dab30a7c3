package io.vizrelay.devproxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small front proxy for local clusters ({@code scripts/cluster.sh}): one port that spreads HTTP
 * requests and WebSocket connections round-robin over the replicas of the service owning the path.
 * Not for production (use the Kubernetes Service / ingress there).
 *
 * <ul>
 *   <li>socket: {@code /socket}, {@code /task/<id>/socket}, {@code /}, {@code /static/}, {@code
 *       /webjars/}, {@code /api/relay/}, {@code /auth/}
 *   <li>taskinfo: {@code /api/tasks}
 *   <li>ingest: everything else (the visdom endpoints, {@code /vis_socket}, {@code /env/...})
 * </ul>
 *
 * <p>Environment: {@code VIZRELAY_PROXY_HOST} (127.0.0.1), {@code VIZRELAY_PROXY_PORT} (8186),
 * {@code VIZRELAY_PROXY_INGEST}, {@code VIZRELAY_PROXY_SOCKET}, {@code VIZRELAY_PROXY_TASKINFO}
 * (comma-separated {@code host:port} lists). A backend that refuses the connection is skipped for
 * the next one of its group; a request whose backend fails mid-way gets 502.
 */
public final class FrontProxy {
  private static final Logger LOG = LoggerFactory.getLogger(FrontProxy.class);
  private static final Set<String> HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer",
          "proxy-authorization",
          "proxy-authenticate");
  private static final int MAX_MESSAGE = 64 * 1024 * 1024;

  record Backend(String host, int port) {
    static Backend parse(String s) {
      int colon = s.lastIndexOf(':');
      return new Backend(
          s.substring(0, colon).trim(), Integer.parseInt(s.substring(colon + 1).trim()));
    }
  }

  static final class Group {
    final List<Backend> backends;
    final AtomicInteger next = new AtomicInteger();

    Group(List<Backend> backends) {
      this.backends = backends;
    }

    Backend pick(int attempt) {
      int start = Math.floorMod(next.getAndIncrement(), backends.size());
      return backends.get((start + attempt) % backends.size());
    }
  }

  private final Group ingest;
  private final Group socket;
  private final Group taskinfo;
  private final HttpClient http;
  private final WebSocketClient ws;

  private FrontProxy(Vertx vertx, Group ingest, Group socket, Group taskinfo) {
    this.ingest = ingest;
    this.socket = socket;
    this.taskinfo = taskinfo;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout(2000).setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(200));
    this.ws =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setConnectTimeout(2000)
                .setMaxMessageSize(MAX_MESSAGE)
                .setMaxFrameSize(MAX_MESSAGE)
                .setMaxConnections(100_000));
  }

  public static Future<HttpServer> start(Vertx vertx, Map<String, String> env) {
    FrontProxy proxy =
        new FrontProxy(
            vertx,
            group(env, "VIZRELAY_PROXY_INGEST"),
            group(env, "VIZRELAY_PROXY_SOCKET"),
            group(env, "VIZRELAY_PROXY_TASKINFO"));
    String host = env.getOrDefault("VIZRELAY_PROXY_HOST", "127.0.0.1");
    int port = Integer.parseInt(env.getOrDefault("VIZRELAY_PROXY_PORT", "8186"));
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setHttp2ClearTextEnabled(false) // as the services: no h2c upgrade to tunnel
                .setMaxWebSocketMessageSize(MAX_MESSAGE)
                .setMaxWebSocketFrameSize(MAX_MESSAGE))
        .requestHandler(proxy::handle)
        .listen();
  }

  private static Group group(Map<String, String> env, String key) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + " must list the service's host:port replicas");
    }
    List<Backend> list = new ArrayList<>();
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        list.add(Backend.parse(s));
      }
    }
    return new Group(list);
  }

  Group route(String path) {
    if (path.startsWith("/api/tasks")) {
      return taskinfo;
    }
    if (path.equals("/")
        || path.equals("/socket")
        || path.startsWith("/static/")
        || path.startsWith("/webjars/")
        || path.startsWith("/api/relay/")
        || path.startsWith("/auth/")
        || (path.startsWith("/task/")
            && path.endsWith("/socket")
            && !path.endsWith("/vis_socket"))) {
      return socket;
    }
    return ingest;
  }

  private void handle(HttpServerRequest req) {
    Group group = route(req.path());
    if ("websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
      req.pause();
      connectWebSocket(req, group, 0);
    } else {
      req.pause();
      forward(req, group, 0);
    }
  }

  private void forward(HttpServerRequest req, Group group, int attempt) {
    Backend b = group.pick(attempt);
    RequestOptions options =
        new RequestOptions()
            .setMethod(req.method())
            .setHost(b.host())
            .setPort(b.port())
            .setURI(req.uri())
            .setHeaders(copy(req.headers()));
    http.request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                if (attempt + 1 < group.backends.size()) {
                  forward(req, group, attempt + 1);
                } else {
                  req.resume();
                  req.response()
                      .setStatusCode(502)
                      .end("{\"error\":{\"code\":\"BAD_GATEWAY\",\"message\":\"no backend\"}}");
                }
                return;
              }
              ar.result()
                  .send(req)
                  .onSuccess(
                      resp -> {
                        req.response()
                            .setStatusCode(resp.statusCode())
                            .setStatusMessage(resp.statusMessage());
                        resp.headers()
                            .forEach(
                                (k, v) -> {
                                  if (!HOP.contains(k.toLowerCase(Locale.ROOT))) {
                                    req.response().headers().add(k, v);
                                  }
                                });
                        if (resp.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                          req.response().setChunked(true);
                        }
                        resp.pipeTo(req.response());
                      })
                  .onFailure(
                      err -> {
                        if (!req.response().headWritten()) {
                          req.response()
                              .setStatusCode(502)
                              .end(
                                  "{\"error\":{\"code\":\"BAD_GATEWAY\",\"message\":\"backend failed\"}}");
                        } else {
                          req.response().reset();
                        }
                      });
            });
  }

  private static MultiMap copy(MultiMap headers) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(
        (k, v) -> {
          if (!HOP.contains(k.toLowerCase(Locale.ROOT))) {
            out.add(k, v);
          }
        });
    return out;
  }

  private void connectWebSocket(HttpServerRequest req, Group group, int attempt) {
    Backend b = group.pick(attempt);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost(b.host()).setPort(b.port()).setURI(req.uri());
    String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
    if (auth != null) {
      options.addHeader(HttpHeaders.AUTHORIZATION, auth);
    }
    String cookie = req.getHeader(HttpHeaders.COOKIE);
    if (cookie != null) {
      options.addHeader(HttpHeaders.COOKIE, cookie);
    }
    ws.connect(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                if (attempt + 1 < group.backends.size()) {
                  connectWebSocket(req, group, attempt + 1);
                } else {
                  req.resume();
                  req.response().setStatusCode(502).end();
                }
                return;
              }
              WebSocket back = ar.result();
              back.pause();
              req.toWebSocket()
                  .onSuccess(front -> bridge(front, back))
                  .onFailure(err -> back.close());
            });
  }

  private static void bridge(ServerWebSocket front, WebSocket back) {
    relay(
        back,
        front,
        back::textMessageHandler,
        back::binaryMessageHandler,
        front::writeTextMessage,
        front::writeBinaryMessage);
    relay(
        front,
        back,
        front::textMessageHandler,
        front::binaryMessageHandler,
        back::writeTextMessage,
        back::writeBinaryMessage);
    back.closeHandler(
        v -> {
          if (!front.isClosed()) {
            Short code = back.closeStatusCode();
            front.close(
                code == null || code == 1005 || code == 1006 ? (short) 1001 : code,
                back.closeReason());
          }
        });
    front.closeHandler(
        v -> {
          if (!back.isClosed()) {
            back.close();
          }
        });
    back.resume();
  }

  private static void relay(
      ReadStream<?> from,
      WriteStream<?> to,
      Consumer<io.vertx.core.Handler<String>> onText,
      Consumer<io.vertx.core.Handler<io.vertx.core.buffer.Buffer>> onBinary,
      java.util.function.Function<String, Future<Void>> writeText,
      java.util.function.Function<io.vertx.core.buffer.Buffer, Future<Void>> writeBinary) {
    Runnable backpressure =
        () -> {
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        };
    onText.accept(
        text -> {
          writeText.apply(text);
          backpressure.run();
        });
    onBinary.accept(
        bin -> {
          writeBinary.apply(bin);
          backpressure.run();
        });
  }

  /**
   * {@code java -jar dev-proxy/target/vizrelay-dev-proxy.jar} (what {@code scripts/cluster.sh up}
   * runs).
   */
  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    start(vertx, System.getenv())
        .onSuccess(s -> LOG.info("vizrelay front proxy on port {}", s.actualPort()))
        .onFailure(
            e -> {
              LOG.error("front proxy failed to start", e);
              System.exit(1);
            });
  }
}
