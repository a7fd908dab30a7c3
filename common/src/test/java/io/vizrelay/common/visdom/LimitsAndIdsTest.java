package io.vizrelay.common.visdom;

import static io.vizrelay.common.visdom.EngineFixture.obj;
import static io.vizrelay.common.visdom.EngineFixture.range;
import static io.vizrelay.common.visdom.EngineFixture.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LimitsAndIdsTest {

  private static void assertRejected(EngineFixture f, ErrorCode code, Executable command) {
    String before = f.snapshot();
    ApiException e = assertThrows(ApiException.class, command);
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(before, f.snapshot(), "a rejected command changes nothing");
  }

  @Test
  void contentIdsAreDistinctVersionFourUuids() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = IdSource.RANDOM.contentId();
      java.util.UUID uuid = java.util.UUID.fromString(id);
      assertEquals(4, uuid.version(), id);
      assertEquals(2, uuid.variant(), id);
      assertEquals(id, uuid.toString(), "canonical lower-case form");
      seen.add(id);
    }
    assertEquals(10_000, seen.size(), "no repeats");
  }

  @Test
  void defaultsAreAThousandWindowsAndTenMillionPoints() {
    assertEquals(1000, Limits.DEFAULTS.maxWindowsPerTask());
    assertEquals(10_000_000L, Limits.DEFAULTS.maxPointsPerWindow());
    assertEquals(256, Limits.MAX_ID_LENGTH);
  }

  @Test
  void aNewWindowBeyondTheTaskLimitIsRefusedButReplacingOneIsNot() {
    EngineFixture f = new EngineFixture(new Limits(2, 100));
    f.line("main", "a", 1);
    f.line("other", "b", 1);
    assertRejected(f, ErrorCode.LIMIT_EXCEEDED, () -> f.line("main", "c", 1));
    f.line("main", "a", 2);
    assertRejected(
        f, ErrorCode.LIMIT_EXCEEDED, () -> f.apply(new VisdomCommand.ForkEnv("main", "copy")));
  }

  @Test
  void pointsBeyondTheWindowLimitAreRefusedOnCreateAndAppend() {
    EngineFixture f = new EngineFixture(new Limits(10, 100));
    assertRejected(f, ErrorCode.LIMIT_EXCEEDED, () -> f.line("main", "w", 101));
    f.line("main", "w", 99);
    f.append("main", "w", null, Json.NODES.arrayNode().add(trace("1", range(0, 1), range(0, 1))));
    assertRejected(
        f,
        ErrorCode.LIMIT_EXCEEDED,
        () ->
            f.append(
                "main",
                "w",
                null,
                Json.NODES.arrayNode().add(trace("1", range(0, 1), range(0, 1)))));
  }

  @Test
  void envAndWindowIdsWithControlCharactersOrOver256CharsAreRefused() {
    EngineFixture f = new EngineFixture();
    String longId = "x".repeat(257);
    assertRejected(f, ErrorCode.INVALID_ENV, () -> f.line("bad\nenv", "w", 1));
    assertRejected(f, ErrorCode.INVALID_ENV, () -> f.line(longId, "w", 1));
    assertRejected(f, ErrorCode.INVALID_WINDOW, () -> f.line("main", "w\u0000", 1));
    assertRejected(f, ErrorCode.INVALID_WINDOW, () -> f.line("main", longId, 1));
    assertRejected(f, ErrorCode.INVALID_ENV, () -> f.apply(new VisdomCommand.CreateEnv("a\tb")));
    assertRejected(
        f,
        ErrorCode.INVALID_WINDOW,
        () -> f.apply(new VisdomCommand.SetWinData("main", null, "{\"w\\u0007\": {}}")));
    f.line("x".repeat(256), "y".repeat(256), 1);
    assertEquals(1, f.state.env("x".repeat(256)).windows().size());
  }

  @Test
  void aServerMadeIdIsUsedWhenWinIsNull() {
    EngineFixture f = new EngineFixture();
    Outcome out =
        f.apply(
            new VisdomCommand.CreateWindow(
                "main",
                null,
                EngineFixture.arr("[{'content':'hi','type':'text'}]"),
                null,
                obj("{}")));
    assertEquals("server-win-1", out.reply().body());
    assertEquals("server-win-1", f.state.env("main").window("server-win-1").get("id").asText());
  }
}
