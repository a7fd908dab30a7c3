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
