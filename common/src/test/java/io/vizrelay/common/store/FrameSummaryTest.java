package io.vizrelay.common.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** {@link FrameSummary} reads what a frame does to plotted points without building it. */
class FrameSummaryTest {
  private static FrameSummary of(String json) {
    return FrameSummary.of(Buffer.buffer(json));
  }

  @Test
  void aCompactAppendCountsPointsPerTrace() {
    FrameSummary s =
        of(
            "{\"command\":\"append\",\"seq\":3,\"env\":\"main\",\"win\":\"loss\",\"version\":2,"
                + "\"contentID\":\"c\",\"traces\":[{\"index\":1,\"x\":[1,2,3],\"y\":[4,5,6]},"
                + "{\"index\":0,\"x\":[7],\"y\":[8]}]}");
    assertEquals("append", s.command());
    assertEquals("loss", s.win());
    assertArrayEquals(new int[] {1, 3}, s.appended());
    assertFalse(s.structural());
  }

  @Test
  void aWindowGivesItsLongestTrace() {
    FrameSummary s =
        of(
            "{\"command\":\"window\",\"seq\":1,\"env\":\"main\",\"id\":\"w\",\"title\":\"t\","
                + "\"content\":{\"data\":[{\"x\":[1,2],\"y\":[3,4]},{\"x\":[1,2,3],\"y\":[[1],{\"a\":1},3],"
                + "\"marker\":{\"color\":[1,2,3]}}],\"layout\":{\"x\":[1,2,3,4,5,6]}}}");
    assertEquals("w", s.win());
    assertEquals(3, s.longestTrace());
    FrameSummary text =
        of("{\"command\":\"window\",\"id\":\"log\",\"content\":\"a long text\",\"type\":\"text\"}");
    assertEquals(0, text.longestTrace());
  }

  @Test
  void windowUpdatesAreAppendsOrStructural() {
    FrameSummary appendOnly =
        of(
            "{\"command\":\"window_update\",\"seq\":4,\"env\":\"main\",\"win\":\"loss\",\"content\":["
                + "{\"op\":\"replace\",\"path\":\"/version\",\"value\":3},"
                + "{\"op\":\"add\",\"path\":\"/content/data/0/x/-\",\"value\":1},"
                + "{\"op\":\"add\",\"path\":\"/content/data/0/y/-\",\"value\":2},"
                + "{\"op\":\"add\",\"path\":\"/content/data/0/y/-\",\"value\":5},"
                + "{\"op\":\"replace\",\"path\":\"/contentID\",\"value\":\"c\"}],\"version\":3}");
    assertFalse(appendOnly.structural());
    assertArrayEquals(new int[] {2}, appendOnly.appended());
    FrameSummary replace =
        of(
            "{\"command\":\"window_update\",\"win\":\"loss\",\"content\":["
                + "{\"op\":\"replace\",\"path\":\"/content/data/0/y/4\",\"value\":9}]}");
    assertTrue(replace.structural());
    FrameSummary newTrace =
        of(
            "{\"command\":\"window_update\",\"win\":\"loss\",\"content\":["
                + "{\"op\":\"add\",\"path\":\"/content/data/1\",\"value\":{\"x\":[1],\"y\":[2]}}]}");
    assertTrue(newTrace.structural());
  }

  @Test
  void otherFramesNameNoPoints() {
    FrameSummary close = of("{\"command\":\"close\",\"seq\":9,\"env\":\"main\",\"data\":\"loss\"}");
    assertEquals("close", close.command());
    assertEquals("loss", close.win(), "close names its window in data");
    assertEquals(0, close.appended().length);
  }
}
