package io.vizrelay.common.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The built-in sign-in's users: one per line, {@code name:bcrypt-hash[:role,role]}; blank lines and
 * {@code #} comments are skipped. The hash is {@link Passwords#hash} ({@code
 * bcrypt(sha256hex(pw))}). {@code UsersCli add <file> <user>} writes lines.
 */
public final class UsersFile {
  /**
   * User names: letters, digits, {@code . _ @}, at most 64; no {@code -} (it separates user and
   * project in task ids).
   */
  public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@]{0,63}");

  /** One user: the bcrypt hash and roles. */
  public record User(String name, String hash, Set<String> roles) {
    String line() {
      return name + ":" + hash + (roles.isEmpty() ? "" : ":" + String.join(",", roles));
    }
  }

  private final Map<String, User> users;

  private UsersFile(Map<String, User> users) {
    this.users = users;
  }

  /** True when the file has no user (or none was configured). */
  public boolean isEmpty() {
    return users.isEmpty();
  }

  public static UsersFile empty() {
    return new UsersFile(Map.of());
  }

  public static boolean isValidUserId(String id) {
    return id != null && USER_ID.matcher(id).matches();
  }

  /** Reads the file (blocking); a malformed line fails with its number. */
  public static UsersFile load(Path file) throws IOException {
    Map<String, User> users = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      User user = parse(line);
      if (user == null) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": expected name:bcrypt-hash[:roles]");
      }
      users.put(user.name(), user);
    }
    return new UsersFile(Map.copyOf(users));
  }

  private static User parse(String line) {
    String[] parts = line.split(":", -1);
    if (parts.length < 2
        || parts.length > 3
        || !isValidUserId(parts[0])
        || !parts[1].startsWith("$2")) {
      return null;
    }
    Set<String> roles = new LinkedHashSet<>();
    if (parts.length == 3) {
      Arrays.stream(parts[2].split(","))
          .map(String::trim)
          .filter(r -> !r.isEmpty())
          .forEach(roles::add);
    }
    return new User(parts[0], parts[1], roles);
  }

  /** The user when {@code sha256Hex} is the SHA-256 hex of their password. */
  public Optional<User> check(String name, String sha256Hex) {
    User user = name == null ? null : users.get(name);
    boolean ok =
        sha256Hex != null && Passwords.matchesSha256(sha256Hex, user == null ? null : user.hash());
    return ok ? Optional.of(user) : Optional.empty();
  }

  /** Adds or replaces {@code name} in the file (blocking; used by the CLI). */
  public static void put(Path file, String name, String password, Set<String> roles)
      throws IOException {
    if (!isValidUserId(name)) {
      throw new IllegalArgumentException("user names are 1-64 letters, digits or . _ @ (no -)");
    }
    List<String> kept = new java.util.ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.trim().startsWith(name + ":")) {
          kept.add(line);
        }
      }
    }
    kept.add(new User(name, Passwords.hash(password), roles).line());
    Files.write(file, kept, StandardCharsets.UTF_8);
  }
}
