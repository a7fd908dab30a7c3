package io.vizrelay.common.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Json#parse} (client bodies, read by {@link TreeReader}) against the mapper's own {@code
 * readTree}: the same tree, node for node and column form for column form, for every valid body; a
 * 400 {@code INVALID_JSON} exactly where {@code readTree} fails or finds nothing.
 */
class JsonParseTest {

  private static final List<String> CASES =
      List.of(
          "{}",
          "[]",
          "{\"task_id\":\"t\",\"win\":\"w\",\"x\":[1],\"y\":[0.5],\"append\":true,\"opts\":{}}",
          "{\"x\":[1,2.5,-3,1e3,NaN,Infinity,-Infinity,-0.0,0],\"y\":[[1,2],[3,4]]}",
          "{\"big\":[9223372036854775807,9223372036854775808,-9223372036854775809,2147483648]}",
          "{\"f\":[1.5e308,4.9e-324,123456789012345678901234567890.5,1E+2]}",
          "{\"mixed\":[1,\"a\",null,true,false,{\"k\":[1]},[],2.5]}",
          "{\"dup\":1,\"dup\":[2,3]}",
          "{\"s\":\"\\u00e9\\n\\\"\\\\ \\ud83d\\ude00 ünï\"}",
          "  {\"a\":1}  ",
          "{\"a\":1} trailing",
          "{\"a\":1}{\"b\":2}",
          "3",
          "\"text\"",
          "null",
          "true",
          "",
          "   ",
          "{",
          "{\"a\":",
          "{\"a\":1",
          "[1,2",
          "[1,]",
          "{\"a\":1,}",
          "{a:1}",
          "{'a':1}",
          "}",
          "]",
          "[1 2]",
          "{\"a\" 1}",
          "{\"x\":[01]}",
          "{\"x\":[1.]}",
          "{\"x\":[+1]}",
          "{\"x\":[nan]}",
          "{\"s\":\"\u0001\"}",
          "\uFEFF{\"bom\":1}",
          "[".repeat(64) + "]".repeat(64),
          "[".repeat(65) + "]".repeat(65),
          "{\"a\":".repeat(64) + "1" + "}".repeat(64),
          "{\"a\":".repeat(65) + "1" + "}".repeat(65));

  @Test
  void handPickedBodiesParseAsTheMapperParsesThem() {
    for (String text : CASES) {
      assertSameOutcome(text);
    }
  }

  @Test
  void randomBodiesAndTheirTruncationsParseAsTheMapperParsesThem() {
    SplittableRandom random = new SplittableRandom(2026);
    for (int i = 0; i < 3_000; i++) {
      StringBuilder text = new StringBuilder();
      value(random, text, 0);
      String body = text.toString();
      assertSameOutcome(body);
      assertSameOutcome(body.substring(0, random.nextInt(body.length() + 1)));
      int at = random.nextInt(body.length());
      String noise = "{}[],:\"1-.eE x";
      assertSameOutcome(
          body.substring(0, at)
              + noise.charAt(random.nextInt(noise.length()))
              + body.substring(at));
    }
  }

  @Test
  void anEmptyOrMalformedBodyIsInvalidJson() {
    for (String text : List.of("", " ", "{", "[1,]", "{\"a\":1,}")) {
      ApiException e =
          assertThrows(
              ApiException.class, () -> Json.parse(text.getBytes(StandardCharsets.UTF_8)), text);
      assertEquals(ErrorCode.INVALID_JSON, e.code(), text);
    }
  }

  private static void assertSameOutcome(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    JsonNode expected = reference(bytes);
    if (expected == null) {
      ApiException e = assertThrows(ApiException.class, () -> Json.parse(bytes), text);
      assertEquals(ErrorCode.INVALID_JSON, e.code(), text);
      return;
    }
    JsonNode actual = Json.parse(bytes);
    assertNotNull(actual, text);
    assertEquals(expected, actual, text);
    assertEquals(Json.string(expected), Json.string(actual), text);
    assertSameShape(expected, actual, text);
  }

  /** {@code readTree}'s tree, or null where {@link Json#parse} must answer 400. */
  private static JsonNode reference(byte[] bytes) {
    try {
      JsonNode node = Json.MAPPER.readTree(bytes);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException e) {
      return null;
    }
  }

  private static void assertSameShape(JsonNode expected, JsonNode actual, String where) {
    assertEquals(expected.getClass(), actual.getClass(), where);
    if (expected instanceof CompactArrayNode e) {
      assertEquals(e.form(), ((CompactArrayNode) actual).form(), where);
    }
    if (expected.isContainerNode()) {
      assertEquals(expected.size(), actual.size(), where);
      if (expected.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> a = actual.fields();
        expected
            .fields()
            .forEachRemaining(
                entry -> {
                  Map.Entry<String, JsonNode> other = a.next();
                  assertEquals(entry.getKey(), other.getKey(), where);
                  assertSameShape(entry.getValue(), other.getValue(), where + "." + entry.getKey());
                });
      } else {
        for (int i = 0; i < expected.size(); i++) {
          assertSameShape(expected.get(i), actual.get(i), where + "[" + i + "]");
        }
      }
    }
  }

  private static final String[] NUMBERS = {
    "0",
    "1",
    "-1",
    "42",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "1.5",
    "-0.0",
    "1e10",
    "1E-7",
    "3.141592653589793",
    "0.1",
    "1.7976931348623157e308",
    "123456789012345678901234567890",
    "NaN",
    "Infinity",
    "-Infinity"
  };

  private static void value(SplittableRandom random, StringBuilder out, int depth) {
    int kind = depth > 4 ? random.nextInt(4) : random.nextInt(7);
    switch (kind) {
      case 0 -> out.append(NUMBERS[random.nextInt(NUMBERS.length)]);
      case 1 ->
          out.append('"')
              .append(List.of("a", "é", "x y", "\\n", "").get(random.nextInt(5)))
              .append('"');
      case 2 -> out.append(List.of("true", "false", "null").get(random.nextInt(3)));
      case 3, 4 -> numberArray(random, out);
      case 5 -> {
        out.append('[');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ",");
          value(random, out, depth + 1);
        }
        out.append(']');
      }
      default -> {
        out.append('{');
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ",").append("\"k").append(random.nextInt(4)).append("\":");
          value(random, out, depth + 1);
        }
        out.append('}');
      }
    }
  }

  /** Arrays of numbers, sometimes with a stray other value: the columns' every form. */
  private static void numberArray(SplittableRandom random, StringBuilder out) {
    out.append('[');
    int n = random.nextInt(8);
    int start = random.nextInt(-3, 3);
    boolean step = random.nextBoolean();
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : ",");
      if (step) {
        out.append(start + i);
      } else if (random.nextInt(12) == 0) {
        out.append(List.of("null", "\"s\"", "[1]", "true").get(random.nextInt(4)));
      } else {
        out.append(NUMBERS[random.nextInt(NUMBERS.length)]);
      }
    }
    out.append(']');
  }
}
