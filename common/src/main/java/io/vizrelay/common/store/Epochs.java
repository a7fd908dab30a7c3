package io.vizrelay.common.store;

import java.security.SecureRandom;

/**
 * Stream lives ({@code epoch}): a task gets a new one when its state starts from nothing, so a
 * browser's {@code since=epoch:seq} from an earlier life is never mistaken for a position in this
 * one. The one owner of how they are made, for both tiers.
 */
public final class Epochs {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Epochs() {}

  /** A new random epoch: a non-negative 63-bit number in base 36 (1 to 13 characters). */
  public static String next() {
    return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }
}
