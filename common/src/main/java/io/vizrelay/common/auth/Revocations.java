package io.vizrelay.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vizrelay.common.bus.Addresses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoked credentials, seen alike by every process: API keys revoked by an admin, and sessions
 * ended at sign-out. A revocation is put in the shared map {@value #MAP} (Vert.x shared data: a
 * Hazelcast {@code IMap} in a cluster, an in-process map otherwise; a session's entry expires with
 * its token) and published on {@link Addresses#AUTH_REVOKED}; each process keeps a local copy,
 * updated by the publication at once and merged with the whole map every {@link #RELOAD_MS} ms (so
 * a lost publication, or a process that joined later, still refuses it within that interval). The
 * checks on each request read the local copy only.
 *
 * <p>Revoked API keys are also appended to {@code $VIZRELAY_DATA_DIR/revoked-api-keys} by every
 * process that learns of them, and loaded from there at start, so they stay revoked after a restart
 * of the process or of the whole cluster. Revocations are never undone.
 */
public final class Revocations {
  /** The shared map: revocation id to expiry (epoch ms; {@link Long#MAX_VALUE} for keys). */
  public static final String MAP = "vizrelay.auth.revoked";

  /** How often the local copy is merged with the shared map. */
  public static final long RELOAD_MS = 1000;

  /** The file of revoked key ids, in the data directory. */
  public static final String FILE = "revoked-api-keys";

  private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{12}");

  private final Vertx vertx;
  private final AsyncMap<String, Long> shared;
  private final Path file;
  private final Map<String, Long> local = new ConcurrentHashMap<>();

  private Revocations(Vertx vertx, AsyncMap<String, Long> shared, Path file) {
    this.vertx = vertx;
    this.shared = shared;
    this.file = file;
  }

  /**
   * Opens the shared map, loads the revoked keys of {@code dataDir} into it, and starts listening
   * and reloading.
   */
  static Future<Revocations> start(Vertx vertx, Path dataDir) {
    Path file = dataDir.resolve(FILE);
    return vertx
        .sharedData()
        .<String, Long>getAsyncMap(MAP)
        .map(map -> new Revocations(vertx, map, file))
        .compose(r -> r.loadFile().map(r));
  }

  private Future<Void> loadFile() {
    return vertx
        .executeBlocking(
            () ->
                Files.exists(file)
                    ? Files.readAllLines(file, StandardCharsets.UTF_8)
                    : java.util.List.<String>of())
        .compose(
            lines -> {
              Future<Void> all = Future.succeededFuture();
              for (String line : lines) {
                String id = line.trim();
                if (KEY_ID.matcher(id).matches()) {
                  local.put(keyEntry(id), Long.MAX_VALUE);
                  all = all.compose(v -> shared.put(keyEntry(id), Long.MAX_VALUE));
                }
              }
              return all;
            })
        .onSuccess(
            v -> {
              vertx
                  .eventBus()
                  .<JsonObject>consumer(
                      Addresses.AUTH_REVOKED,
                      msg -> learn(msg.body().getString("id"), msg.body().getLong("expiry")));
              vertx.setPeriodic(RELOAD_MS, t -> reload());
            });
  }

  /** True when the API key with this id ({@code key:<12 hex>} credential) is revoked. */
  boolean keyRevoked(String credential) {
    return credential.startsWith("key:") && local.containsKey(credential);
  }

  /** True when this token (a session, or any JWT) was revoked at a sign-out. */
  boolean sessionRevoked(String token) {
    return !local.isEmpty() && local.containsKey(sessionEntry(token));
  }

  /** Revokes the API key with id {@code keyId} (12 hex digits) everywhere. */
  Future<Void> revokeKey(String keyId) {
    return revoke(keyEntry(keyId), Long.MAX_VALUE);
  }

  /** Revokes a session token until it expires ({@code expiresAt}, epoch seconds). */
  Future<Void> revokeSession(String token, long expiresAt) {
    long expiry = (expiresAt + Tokens.LEEWAY_SECONDS) * 1000;
    return revoke(sessionEntry(token), expiry);
  }

  static boolean isKeyId(String id) {
    return id != null && KEY_ID.matcher(id).matches();
  }

  private Future<Void> revoke(String id, long expiry) {
    long ttl = expiry == Long.MAX_VALUE ? 0 : expiry - System.currentTimeMillis();
    if (ttl < 0) {
      return Future.succeededFuture(); // already expired
    }
    learn(id, expiry);
    Future<Void> put = ttl == 0 ? shared.put(id, expiry) : shared.put(id, expiry, ttl);
    return put.onSuccess(
        v ->
            vertx
                .eventBus()
                .publish(
                    Addresses.AUTH_REVOKED, new JsonObject().put("id", id).put("expiry", expiry)));
  }

  private void reload() {
    shared
        .entries()
        .onSuccess(
            entries -> {
              entries.forEach(this::learn);
              long now = System.currentTimeMillis();
              local.values().removeIf(expiry -> expiry < now);
            })
        .onFailure(err -> LOG.warn("revocations not reloaded: {}", err.toString()));
  }

  private void learn(String id, Long expiry) {
    if (id == null || expiry == null) {
      return;
    }
    Long before = local.put(id, expiry);
    if (before == null && id.startsWith("key:")) {
      String keyId = id.substring(4);
      vertx
          .executeBlocking(
              () -> {
                Files.createDirectories(file.toAbsolutePath().getParent());
                return Files.writeString(
                    file,
                    keyId + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
              })
          .onFailure(err -> LOG.warn("revoked key {} not written to {}: {}", keyId, file, err));
    }
  }

  private static String keyEntry(String keyId) {
    return "key:" + keyId;
  }

  private static String sessionEntry(String token) {
    return "session:" + Passwords.sha256Hex(token);
  }
}
