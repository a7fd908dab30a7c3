package io.vizrelay.common.visdom;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Where the engine gets fresh ids (contentID, server-made window ids); tests plug in counters. */
public interface IdSource {
  String contentId();

  String windowId();

  IdSource RANDOM =
      new IdSource() {
        @Override
        public String contentId() {
          return fastRandomUuid();
        }

        @Override
        public String windowId() {
          return "window_" + UUID.randomUUID();
        }
      };

  /**
   * A version-4 UUID from {@link ThreadLocalRandom}: every update carries a fresh contentID (the
   * page uses it to tell one update of a window from the next), which needs uniqueness, not
   * unpredictability. {@link UUID#randomUUID} reads the OS's secure random under a lock: 2 % of the
   * event loop in a profile of 1-point ingest.
   */
  static String fastRandomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (random.nextLong() & ~0xF000L) | 0x4000L;
    long least = (random.nextLong() & ~(0x3L << 62)) | (0x2L << 62);
    return new UUID(most, least).toString();
  }
}
