package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.auth.ApiKeys;
import io.vizrelay.common.auth.Passwords;
import io.vizrelay.common.auth.UsersFile;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code UsersCli add} writes bcrypt hashes the server accepts; {@code apikey} prints a key only
 * once.
 */
class UsersCliTest {
  @TempDir Path dir;

  int run(String stdin, ByteArrayOutputStream out, String... args) {
    return UsersCli.run(
        args,
        new BufferedReader(new StringReader(stdin)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @Test
  void addWritesABcryptHashThatChecksTheSha256OfThePassword() throws Exception {
    Path file = dir.resolve("users.txt");
    assertEquals(0, run("s3cret\n", new ByteArrayOutputStream(), "add", file.toString(), "alice"));
    assertEquals(
        0, run("other\n", new ByteArrayOutputStream(), "add", file.toString(), "root", "admin"));
    assertEquals(0, run("changed\n", new ByteArrayOutputStream(), "add", file.toString(), "alice"));
    String text = Files.readString(file);
    assertFalse(text.contains("s3cret") || text.contains("changed"), "no plain passwords");
    assertTrue(text.contains("alice:$2"), text);
    assertEquals(2, text.lines().count(), "re-adding replaces: " + text);
    UsersFile users = UsersFile.load(file);
    assertTrue(users.check("alice", Passwords.sha256Hex("changed")).isPresent());
    assertTrue(users.check("alice", Passwords.sha256Hex("s3cret")).isEmpty());
    assertTrue(users.check("root", Passwords.sha256Hex("other")).get().roles().contains("admin"));
    assertTrue(users.check("nobody", Passwords.sha256Hex("other")).isEmpty());
  }

  @Test
  void badInputIsRefused() {
    Path file = dir.resolve("users.txt");
    assertEquals(
        2, run("", new ByteArrayOutputStream(), "add", file.toString(), "alice"), "no password");
    assertEquals(
        2,
        run("pw\n", new ByteArrayOutputStream(), "add", file.toString(), "al-ice"),
        "a dash in a user name");
    assertEquals(2, run("pw\n", new ByteArrayOutputStream(), "remove", file.toString()));
  }

  @Test
  void apikeyPrintsAKeyAndStoresOnlyItsHash() throws Exception {
    Path file = dir.resolve("keys.txt");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run("", out, "apikey", file.toString(), "alice", "task=alice-a1"));
    String key = out.toString(StandardCharsets.UTF_8).trim();
    assertTrue(key.startsWith(ApiKeys.PREFIX), key);
    assertFalse(Files.readString(file).contains(key));
    var principal = ApiKeys.load(file).find(key).orElseThrow();
    assertEquals("alice", principal.userId());
    assertEquals("alice-a1", principal.task());
  }

  @Test
  void apikeyRevokeRemovesTheKeyByKeyOrId() throws Exception {
    Path file = dir.resolve("keys.txt");
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    assertEquals(0, run("", a, "apikey", file.toString(), "alice"));
    assertEquals(0, run("", b, "apikey", file.toString(), "bob"));
    String keyA = a.toString(StandardCharsets.UTF_8).trim();
    String keyB = b.toString(StandardCharsets.UTF_8).trim();
    ByteArrayOutputStream id = new ByteArrayOutputStream();
    assertEquals(0, run("", id, "apikey", "id", keyA));
    assertEquals(ApiKeys.id(keyA), id.toString(StandardCharsets.UTF_8).trim());

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run("", out, "apikey", "revoke", file.toString(), ApiKeys.id(keyA)));
    assertEquals("revoked " + ApiKeys.id(keyA), out.toString(StandardCharsets.UTF_8).trim());
    assertTrue(ApiKeys.load(file).find(keyA).isEmpty());
    assertTrue(ApiKeys.load(file).find(keyB).isPresent(), "the other key stays");
    assertEquals(
        1, run("", new ByteArrayOutputStream(), "apikey", "revoke", file.toString(), keyA));
    assertEquals(
        0, run("", new ByteArrayOutputStream(), "apikey", "revoke", file.toString(), keyB));
    assertTrue(ApiKeys.load(file).find(keyB).isEmpty());
  }
}
