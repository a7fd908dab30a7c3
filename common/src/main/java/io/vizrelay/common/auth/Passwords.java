package io.vizrelay.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Password hashes of the users file: {@code bcrypt(sha256hex(password))}, cost {@value #COST}.
 * Hashing the SHA-256 hex first lets visdom's own client log in (it sends {@code sha256hex(pw)},
 * PROTOCOL §6) and keeps every input at 64 bytes, inside bcrypt's 72-byte limit.
 */
public final class Passwords {
  /** bcrypt cost factor of new hashes. */
  public static final int COST = 10;

  private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(COST);

  /** Compared against when the user is unknown, so that the answer takes as long either way. */
  private static final String DUMMY = BCRYPT.encode(sha256Hex("not a password"));

  private Passwords() {}

  public static String sha256Hex(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The users-file hash of a plain password. */
  public static String hash(String password) {
    return BCRYPT.encode(sha256Hex(password));
  }

  /**
   * Checks {@code sha256hex(password)} against a users-file hash; {@code hash} null means unknown
   * user.
   */
  public static boolean matchesSha256(String sha256Hex, String hash) {
    if (hash == null) {
      BCRYPT.matches(sha256Hex, DUMMY);
      return false;
    }
    return BCRYPT.matches(sha256Hex.toLowerCase(), hash);
  }
}
