package io.vizrelay.app;

import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vizrelay.common.auth.ApiKeys;
import io.vizrelay.common.auth.UsersFile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A server with {@code VIZRELAY_AUTH=jwt}: users alice, bob (passwords {@code <name>-pw}) and root
 * (admin) in a users file, API keys for alice (one unscoped, one bound to task {@code alice-k1}),
 * and helpers to send requests and open sockets with any credential.
 */
final class AuthFixture implements AutoCloseable {
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  static final String ORIGIN_ALLOWED = "https://dashboard.example";

  final TestServer server;
  final String aliceKey;
  final String aliceTaskKey;

  private AuthFixture(TestServer server, String aliceKey, String aliceTaskKey) {
    this.server = server;
    this.aliceKey = aliceKey;
    this.aliceTaskKey = aliceTaskKey;
  }

  static AuthFixture start(Path dir, Map<String, String> extraEnv) throws Exception {
    Path users = dir.resolve("users.txt");
    UsersFile.put(users, "alice", "alice-pw", Set.of());
    UsersFile.put(users, "bob", "bob-pw", Set.of());
    UsersFile.put(users, "root", "root-pw", Set.of("admin"));
    Path keys = dir.resolve("keys.txt");
    String aliceKey = ApiKeys.generate();
    String aliceTaskKey = ApiKeys.generate();
    ApiKeys.add(keys, "alice", aliceKey, null);
    ApiKeys.add(keys, "alice", aliceTaskKey, "task=alice-k1");
    Map<String, String> env = new HashMap<>();
    env.put("VIZRELAY_AUTH", "jwt");
    env.put("VIZRELAY_JWT_HS256_SECRET", SECRET);
    env.put("VIZRELAY_USERS_FILE", users.toString());
    env.put("VIZRELAY_API_KEYS_FILE", keys.toString());
    env.put("VIZRELAY_ALLOWED_ORIGINS", ORIGIN_ALLOWED);
    env.put("VIZRELAY_MAX_BODY_BYTES", "65536");
    env.putAll(extraEnv);
    return new AuthFixture(TestServer.start(dir.resolve("data"), env), aliceKey, aliceTaskKey);
  }

  // ------------------------------------------------------------------ tokens

  /** A valid HS256 token for {@code user}, one hour. */
  static String token(String user, String... roles) {
    long now = System.currentTimeMillis() / 1000;
    return jwt("HS256", SECRET, claims(user, now + 3600, roles));
  }

  static String claims(String user, Long exp, String... roles) {
    StringBuilder sb = new StringBuilder("{\"sub\":\"" + user + "\"");
    if (exp != null) {
      sb.append(",\"exp\":").append(exp);
    }
    sb.append(",\"iat\":").append(System.currentTimeMillis() / 1000 - 10);
    sb.append(",\"roles\":[");
    for (int i = 0; i < roles.length; i++) {
      sb.append(i > 0 ? "," : "").append('"').append(roles[i]).append('"');
    }
    return sb.append("]}").toString();
  }

  /**
   * A compact JWT; {@code alg} {@code none} gets an empty signature, HS256 is signed with {@code
   * secret}.
   */
  static String jwt(String alg, String secret, String payload) {
    String head = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(payload);
    if (alg.equalsIgnoreCase("none")) {
      return head + ".";
    }
    return head + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(secret, head));
  }

  static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] hmac(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }

  // ------------------------------------------------------------------ HTTP

  record Reply(int status, String body, Map<String, List<String>> headers) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream())
          .findFirst()
          .orElse(null);
    }

    boolean hasHeader(String name) {
      return headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
    }
  }

  /** Sends {@code method path} with a body (or null) and headers given as name, value pairs. */
  Reply send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = server.jdk.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().map());
  }

  Reply get(String path, String... headers) throws Exception {
    return send("GET", path, null, headers);
  }

  Reply post(String path, String body, String... headers) throws Exception {
    return send("POST", path, body, headers);
  }

  /** A visdom {@code /events} body creating window {@code win} with one point. */
  static String event(String win) {
    return "{\"eid\":\"main\",\"win\":\""
        + win
        + "\",\"data\":[{\"x\":[1],\"y\":[2],\"type\":\"scatter\"}],"
        + "\"layout\":{},\"opts\":{}}";
  }

  // ------------------------------------------------------------------ sockets

  /**
   * An opened WebSocket and the text frames it got, or the HTTP status of the refused handshake.
   */
  record Upgrade(WebSocket ws, int status, List<String> frames) {
    boolean opened() {
      return status == 101;
    }

    /**
     * Completes once the server answered a ping sent now: every text frame this client wrote before
     * has been read and dispatched by the server, and every frame the server sent before has
     * arrived.
     */
    io.vertx.core.Future<Void> barrier() {
      io.vertx.core.Promise<Void> pong = io.vertx.core.Promise.promise();
      ws.pongHandler(b -> pong.tryComplete());
      ws.writePing(io.vertx.core.buffer.Buffer.buffer("barrier"));
      return pong.future();
    }

    /** Waits (bounded) for a frame containing {@code text}. */
    String await(String text) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 10_000;
      synchronized (frames) {
        while (true) {
          for (String f : frames) {
            if (f.contains(text)) {
              return f;
            }
          }
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new AssertionError("no frame with " + text + " in " + frames);
          }
          frames.wait(left);
        }
      }
    }
  }

  Upgrade socket(String uri, String... headers) throws Exception {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port()).setURI(uri);
    for (int i = 0; i < headers.length; i += 2) {
      options.addHeader(headers[i], headers[i + 1]);
    }
    List<String> frames = new java.util.ArrayList<>();
    try {
      // the handler is set before connecting: attached after, from this thread, it could miss the
      // first frame
      ClientWebSocket ws = server.wsClient.webSocket();
      ws.textMessageHandler(
          t -> {
            synchronized (frames) {
              frames.add(t);
              frames.notifyAll();
            }
          });
      TestServer.await(ws.connect(options));
      return new Upgrade(ws, 101, frames);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof UpgradeRejectedException rejected) {
        return new Upgrade(null, rejected.getStatus(), frames);
      }
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
