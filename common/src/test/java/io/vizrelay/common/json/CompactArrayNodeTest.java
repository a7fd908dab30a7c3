package io.vizrelay.common.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A compact array reads, compares and serializes exactly as a plain ArrayNode of the same nodes.
 */
class CompactArrayNodeTest {
  private static final JsonNodeFactory PLAIN = JsonNodeFactory.instance;

  @Test
  void parsedNumbersComeBackByteForByte() {
    String text =
        "{\"x\":[0,1,2,3,4],\"y\":[0.1,1e-7,1.0,-0.0,3.141592653589793,NaN,1e300],"
            + "\"m\":[1,2.5,3,4.25],\"big\":[1,9007199254740993,2],\"s\":[1,\"a\",null,[1,2]],\"e\":[]}";
    JsonNode tree = Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8));
    assertEquals("STEP", form(tree.get("x")));
    assertEquals("DOUBLES", form(tree.get("y")));
    assertEquals("DOUBLES", form(tree.get("m")));
    assertEquals("LONGS", form(tree.get("big")));
    assertEquals("NODES", form(tree.get("s")));
    JsonNode plain = plainTree(text);
    assertEquals(Json.string(plain), Json.string(tree));
    assertEquals(plain, tree);
    assertEquals(tree, plain);
    assertEquals(plain.hashCode(), tree.hashCode());
    assertInstanceOf(IntNode.class, tree.get("m").get(0));
    assertInstanceOf(DoubleNode.class, tree.get("m").get(1));
  }

  @Test
  void randomEditsMatchAPlainArray() {
    Random random = new Random(13);
    for (int round = 0; round < 400; round++) {
      ArrayNode compact = Json.NODES.arrayNode();
      ArrayNode plain = PLAIN.arrayNode();
      int ops = random.nextInt(60);
      int flavour = random.nextInt(5);
      for (int op = 0; op < ops; op++) {
        JsonNode value = value(random, flavour, plain.size());
        int kind = random.nextInt(10);
        if (kind < 6 || plain.isEmpty()) {
          compact.add(value);
          plain.add(value);
        } else if (kind == 6) {
          int at = random.nextInt(plain.size() + 1);
          compact.insert(at, value);
          plain.insert(at, value);
        } else if (kind == 7) {
          int at = random.nextInt(plain.size());
          assertEquals(plain.set(at, value), compact.set(at, value));
        } else {
          int at = random.nextInt(plain.size());
          assertEquals(plain.remove(at), compact.remove(at));
        }
        assertSame(plain, compact);
      }
      assertSame(plain, compact.deepCopy());
    }
  }

  /**
   * The bulk append of a load (frames replayed into a column) gives what appending each node gives,
   * whatever the two columns' forms.
   */
  @Test
  void bulkAppendsMatchAppendingEachNode() {
    Random random = new Random(31);
    for (int round = 0; round < 2000; round++) {
      ArrayNode plain = PLAIN.arrayNode();
      ArrayNode target = Json.NODES.arrayNode();
      ArrayNode source = Json.NODES.arrayNode();
      fill(random, target, plain);
      fill(random, source, PLAIN.arrayNode());
      if (random.nextInt(8) == 0 && !target.isEmpty()) {
        int at = random.nextInt(target.size());
        target.remove(at);
        plain.remove(at);
      }
      source.forEach(v -> plain.add(v));
      CompactArrayNode.appendCopies(target, source);
      assertSame(plain, target);
    }
  }

  private static void fill(Random random, ArrayNode compact, ArrayNode plain) {
    int n = random.nextInt(40);
    int flavour = random.nextInt(5);
    int start = random.nextInt(3);
    for (int i = 0; i < n; i++) {
      JsonNode v = value(random, flavour, start + i);
      compact.add(v);
      plain.add(v);
    }
  }

  /**
   * Frames are read by {@link TreeReader}: the same tree as the mapper's, node classes included.
   */
  @Test
  void theFrameReaderMakesTheMappersTree() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      String text = Json.string(randomTree(random, 0));
      JsonNode expected = Json.MAPPER.readTree(text);
      JsonNode actual = Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8));
      assertSameTree(expected, actual);
      assertArrayEquals(Json.bytes(expected), Json.bytes(actual));
    }
    String edge =
        "[1,2147483648,-2147483649,123456789012345678901234567890,1.5,NaN,-Infinity,1e400,\"s\","
            + "true,false,null,{},[],[[1,2.0]]]";
    JsonNode expected = Json.MAPPER.readTree(edge);
    JsonNode actual = Json.parseTrusted(edge.getBytes(StandardCharsets.UTF_8));
    assertSameTree(expected, actual);
    assertArrayEquals(Json.bytes(expected), Json.bytes(actual));
  }

  private static JsonNode randomTree(Random random, int depth) {
    int kind = depth > 3 ? 2 + random.nextInt(2) : random.nextInt(4);
    if (kind == 0) {
      var o = PLAIN.objectNode();
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        o.set("k" + random.nextInt(6), randomTree(random, depth + 1));
      }
      return o;
    }
    if (kind == 1) {
      ArrayNode a = PLAIN.arrayNode();
      int n = random.nextInt(12);
      int flavour = random.nextInt(6);
      for (int i = 0; i < n; i++) {
        a.add(flavour == 5 ? randomTree(random, depth + 1) : value(random, flavour, i));
      }
      return a;
    }
    return value(random, 4, random.nextInt(100));
  }

  private static void assertSameTree(JsonNode expected, JsonNode actual) {
    if (expected.isArray()) {
      assertInstanceOf(CompactArrayNode.class, actual);
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        assertSameTree(expected.get(i), actual.get(i));
      }
      return;
    }
    assertEquals(expected.getClass(), actual.getClass());
    assertEquals(expected, actual);
    if (expected.isObject()) {
      List<String> names = new ArrayList<>();
      actual.fieldNames().forEachRemaining(names::add);
      List<String> want = new ArrayList<>();
      expected.fieldNames().forEachRemaining(want::add);
      assertEquals(want, names);
      expected.fields().forEachRemaining(e -> assertSameTree(e.getValue(), actual.get(e.getKey())));
    }
  }

  private static JsonNode value(Random random, int flavour, int size) {
    int pick = flavour == 4 ? random.nextInt(7) : flavour;
    return switch (pick) {
      case 0 -> IntNode.valueOf(size * 3);
      case 1 -> IntNode.valueOf(random.nextInt(1000) - 500);
      case 2 -> DoubleNode.valueOf(random.nextInt(1000) / 7.0);
      case 3 ->
          LongNode.valueOf(
              random.nextBoolean() ? random.nextInt(50) : Long.MAX_VALUE - random.nextInt(50));
      case 4 -> DoubleNode.valueOf(Double.NaN);
      case 5 -> TextNode.valueOf("t" + size);
      default -> PLAIN.nullNode();
    };
  }

  private static void assertSame(ArrayNode plain, ArrayNode compact) {
    assertEquals(plain.size(), compact.size());
    for (int i = 0; i < plain.size(); i++) {
      assertEquals(plain.get(i), compact.get(i));
      assertEquals(plain.get(i).getClass(), compact.get(i).getClass());
    }
    assertEquals(plain, compact);
    assertEquals(compact, plain);
    assertArrayEquals(Json.bytes(plain), Json.bytes(compact));
  }

  private static String form(JsonNode node) {
    return ((CompactArrayNode) node).form();
  }

  private static JsonNode plainTree(String text) {
    try {
      return Json.MAPPER.copy().setNodeFactory(PLAIN).readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
