package io.vizrelay.common.visdom;

import java.util.UUID;

/** Where the engine gets fresh ids (contentID, server-made window ids); tests plug in counters. */
public interface IdSource {
  String contentId();

  String windowId();

  IdSource RANDOM =
      new IdSource() {
        @Override
        public String contentId() {
          return UUID.randomUUID().toString();
        }

        @Override
        public String windowId() {
          return "window_" + UUID.randomUUID();
        }
      };
}
