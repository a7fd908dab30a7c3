package io.vizrelay.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory bound's one rule: unwatched first, least recently used first, until it fits. */
class HotBoundTest {
  static HotBound.Hot<String> hot(String id, long bytes, long used, boolean watched) {
    return new HotBound.Hot<>(id, bytes, used, watched, true);
  }

  static List<String> keys(List<HotBound.Hot<String>> hot) {
    return hot.stream().map(HotBound.Hot::key).toList();
  }

  @Test
  void nothingWhileUnderTheBound() {
    assertEquals(List.of(), HotBound.overBound(List.of(hot("a", 10, 1, false)), 10));
  }

  @Test
  void unwatchedLeastRecentlyUsedFirstUntilItFits() {
    List<HotBound.Hot<String>> hot =
        List.of(
            hot("watched-oldest", 10, 0, true),
            hot("new", 10, 9, false),
            hot("old", 10, 1, false),
            hot("mid", 10, 5, false));
    assertEquals(List.of("old", "mid"), keys(HotBound.overBound(hot, 20)));
    assertEquals(List.of("old", "mid", "new", "watched-oldest"), keys(HotBound.overBound(hot, 0)));
  }

  @Test
  void whatMayNotBeUnloadedCountsButStays() {
    List<HotBound.Hot<String>> hot =
        List.of(
            new HotBound.Hot<>("busy", 100, 0, false, false),
            hot("a", 10, 1, false),
            hot("b", 10, 2, false));
    assertEquals(List.of("a"), keys(HotBound.overBound(hot, 110)));
    assertEquals(List.of("a", "b"), keys(HotBound.overBound(hot, 50)), "all it may, still over");
  }
}
