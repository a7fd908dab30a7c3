package io.vizrelay.common.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The cluster's binary state form gives back the same tree, and numeric columns stay raw
 * primitives.
 */
class TreeCodecTest {

  @Test
  void roundTripIsExactAndColumnsStayCompact() throws Exception {
    StringBuilder x = new StringBuilder();
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      x.append(i == 0 ? "" : ",").append(i);
      y.append(i == 0 ? "" : ",").append(i % 7 == 0 ? "3" : Double.toString(i / 3.0));
    }
    String text =
        "{\"main\":{\"jsons\":{\"w\":{\"content\":{\"data\":[{\"x\":["
            + x
            + "],\"y\":["
            + y
            + "],"
            + "\"big\":[1,9223372036854775807],\"s\":[\"a\",null,true,1.5e300,NaN,-0.0],\"e\":[]}]},"
            + "\"title\":\"ünïcode\",\"i\":0,\"big\":123456789012345678901234567890,\"f\":false}},\"reload\":{}}}";
    JsonNode tree = Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TreeCodec.write(new DataOutputStream(bytes), tree);
    JsonNode back =
        TreeCodec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(tree, back);
    assertEquals(Json.string(tree), Json.string(back));
    JsonNode trace = back.path("main").path("jsons").path("w").path("content").path("data").path(0);
    assertEquals("STEP", ((CompactArrayNode) trace.get("x")).form());
    assertEquals("DOUBLES", ((CompactArrayNode) trace.get("y")).form());
    assertTrue(
        bytes.size() < 10_000 * 9 + 2_000,
        "about 8 bytes per y point, none per x: " + bytes.size());
  }
}
