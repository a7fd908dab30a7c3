package io.vizrelay.common.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys of training jobs: one per line, {@code user:sha256hex(key)[:task=<id>|project=<p>]}.
 * Only the hash is stored; keys are 32 random bytes, so a plain SHA-256 suffices. A key is never
 * admin. {@code UsersCli apikey <file> <user> [task=<id>|project=<p>]} adds one and prints the key.
 */
public final class ApiKeys {
  /** Prefix of generated keys: tells them apart from JWTs in {@code Authorization: Bearer}. */
  public static final String PREFIX = "vzk_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Principal> byHash;

  private ApiKeys(Map<String, Principal> byHash) {
    this.byHash = byHash;
  }

  public static ApiKeys empty() {
    return new ApiKeys(Map.of());
  }

  public static ApiKeys load(Path file) throws IOException {
    Map<String, Principal> keys = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(":", -1);
      if (parts.length < 2
          || parts.length > 3
          || !UsersFile.isValidUserId(parts[0])
          || !parts[1].matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": expected user:sha256hex(key)[:task=<id>|project=<p>]");
      }
      String scope = parts.length == 3 ? parts[2] : "";
      String task = scope.startsWith("task=") ? scope.substring(5) : null;
      String project = scope.startsWith("project=") ? scope.substring(8) : null;
      if (!scope.isEmpty() && task == null && project == null) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": scope must be task=<id> or project=<p>");
      }
      keys.put(
          parts[1],
          new Principal(parts[0], Set.of(), project, task, "key:" + parts[1].substring(0, 12)));
    }
    return new ApiKeys(Map.copyOf(keys));
  }

  public Optional<Principal> find(String key) {
    return Optional.ofNullable(byHash.get(Passwords.sha256Hex(key)));
  }

  /**
   * The id of a key: the first 12 hex digits of its SHA-256 (what {@code DELETE
   * /api/auth/api-keys/<id>} and {@code UsersCli apikey revoke} name; the credential {@code
   * key:<id>} rate limits count against).
   */
  public static String id(String key) {
    return Passwords.sha256Hex(key).substring(0, 12);
  }

  /**
   * Removes from {@code file} the keys named by {@code keyOrId} (a key, or a key id) and answers
   * their ids (empty when none matched). The file is replaced atomically (blocking; the CLI).
   */
  public static List<String> revoke(Path file, String keyOrId) throws IOException {
    String match = keyOrId.startsWith(PREFIX) ? Passwords.sha256Hex(keyOrId) : keyOrId;
    if (!match.matches("[0-9a-f]{12,64}")) {
      throw new IllegalArgumentException("name a key (vzk_...) or a key id (12 hex digits)");
    }
    List<String> kept = new java.util.ArrayList<>();
    List<String> revoked = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] parts = line.trim().split(":", -1);
      if (parts.length >= 2 && parts[1].startsWith(match)) {
        revoked.add(parts[1].substring(0, 12));
      } else {
        kept.add(line);
      }
    }
    if (!revoked.isEmpty()) {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return revoked;
  }

  /** A new random key. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + HexFormat.of().formatHex(bytes);
  }

  /** Appends {@code key} for {@code user} with an optional scope (blocking; the CLI). */
  public static void add(Path file, String user, String key, String scope) throws IOException {
    if (!UsersFile.isValidUserId(user)) {
      throw new IllegalArgumentException("user names are 1-64 letters, digits or . _ @ (no -)");
    }
    if (scope != null && !scope.startsWith("task=") && !scope.startsWith("project=")) {
      throw new IllegalArgumentException("scope must be task=<id> or project=<p>");
    }
    String line = user + ":" + Passwords.sha256Hex(key) + (scope == null ? "" : ":" + scope) + "\n";
    Files.writeString(
        file,
        line,
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }
}
