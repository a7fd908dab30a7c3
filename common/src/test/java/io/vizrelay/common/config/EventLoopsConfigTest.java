package io.vizrelay.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code VIZRELAY_EVENT_LOOPS}: one per core by default, 1-256, anything else stops the start. */
class EventLoopsConfigTest {
  @Test
  void defaultsToTheCores() {
    assertEquals(
        Math.min(Runtime.getRuntime().availableProcessors(), VizConfig.MAX_EVENT_LOOPS),
        VizConfig.defaults().eventLoops());
  }

  @Test
  void takesOneToTheMaximum() {
    assertEquals(1, loops("1"));
    assertEquals(256, loops("256"));
  }

  @Test
  void refusesOutOfRangeOrMalformed() {
    for (String bad : new String[] {"0", "-2", "257", "four"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> loops(bad), bad);
      assertTrue(e.getMessage().contains("VIZRELAY_EVENT_LOOPS"), e.getMessage());
    }
  }

  private static int loops(String value) {
    return VizConfig.fromEnv(Map.of("VIZRELAY_EVENT_LOOPS", value)).eventLoops();
  }
}
