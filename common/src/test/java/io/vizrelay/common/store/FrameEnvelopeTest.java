package io.vizrelay.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.Frame;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The envelope the stores add when numbering a frame comes off exactly, for both tiers. */
class FrameEnvelopeTest {

  @Test
  void stripUndoesTheEnvelopeOfWindowAndOtherFrames() {
    ObjectNode window =
        (ObjectNode)
            Json.parseTrusted(
                "{\"command\":\"window\",\"id\":\"w\",\"type\":\"plot\",\"content\":{\"data\":[]},\"i\":0}"
                    .getBytes());
    ObjectNode close =
        (ObjectNode) Json.parseTrusted("{\"command\":\"close\",\"data\":\"w\"}".getBytes());
    for (ObjectNode message : new ObjectNode[] {window, close}) {
      Delta delta = FrameCodec.encode("t", "e", 7, new Frame("main", message.deepCopy()));
      ObjectNode enveloped = (ObjectNode) Json.parseTrusted(delta.stored().getBytes());
      assertEquals(7, enveloped.get("seq").asLong());
      assertEquals("main", enveloped.get("env").asText());
      ObjectNode stripped = FrameEnvelope.strip(enveloped);
      if ("window".equals(message.get("command").asText())) {
        assertEquals(message, stripped, "a window message comes back as stored");
      } else {
        assertEquals(
            message.deepCopy().put("env", "main"), stripped, "other frames keep their env");
      }
    }
  }

  @Test
  void aWindowStoredWithItsMembersInAnotherOrderKeepsThatOrder() {
    ObjectNode window =
        (ObjectNode) Json.parseTrusted("{\"id\":\"w\",\"i\":0,\"command\":\"window\"}".getBytes());
    Delta delta = FrameCodec.encode("t", "e", 1, new Frame("main", window.deepCopy()));
    ObjectNode stripped =
        FrameEnvelope.strip((ObjectNode) Json.parseTrusted(delta.stored().getBytes()));
    assertEquals(Json.string(window), Json.string(stripped));
  }

  @Test
  void epochsAreFreshBase36() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String e = Epochs.next();
      assertTrue(e.matches("[0-9a-z]{1,13}"), e);
      seen.add(e);
    }
    assertEquals(1000, seen.size());
    assertNotEquals(Epochs.next(), Epochs.next());
  }

  /**
   * The envelope is written straight to the generator; it must give the bytes the copy it replaced
   * gave ({@code command} if first, {@code seq}, {@code env}, then the message's members, a member
   * of the message named like one of those keeping its value in that place).
   */
  @Test
  void theStreamedEnvelopeWritesWhatTheCopyWrote() {
    List<String> messages =
        List.of(
            "{\"command\":\"append\",\"win\":\"w\",\"x\":[1],\"y\":[0.5]}",
            "{\"command\":\"window\",\"id\":\"w\",\"content\":{\"data\":[{\"x\":[1,2],\"y\":[NaN,1e300]}]}}",
            "{\"id\":\"w\",\"i\":0,\"command\":\"window\"}",
            "{\"command\":\"close\",\"env\":\"other\",\"data\":\"w\"}",
            "{\"env\":\"first\",\"command\":\"env_update\"}",
            "{\"command\":\"x\",\"seq\":\"theirs\",\"a\":null,\"b\":[],\"c\":{}}",
            "{\"seq\":7,\"env\":\"e\"}",
            "{}");
    for (String text : messages) {
      ObjectNode message = (ObjectNode) Json.parseTrusted(text.getBytes(StandardCharsets.UTF_8));
      for (String env : new String[] {null, "main", "ünï \"quoted\""}) {
        assertEquals(
            new String(copied(message, 42, env), StandardCharsets.UTF_8),
            new String(Json.bytes(FrameCodec.envelope(message, 42, env)), StandardCharsets.UTF_8),
            text + " in " + env);
      }
    }
  }

  /** The envelope as it was made before: a new object, then the message's members copied in. */
  private static byte[] copied(ObjectNode message, long seq, String env) {
    ObjectNode out = Json.object();
    var names = message.fieldNames();
    if (names.hasNext() && "command".equals(names.next())) {
      out.set("command", message.get("command"));
    }
    out.put("seq", seq);
    if (env != null) {
      out.put("env", env);
    }
    out.setAll(message);
    return Json.bytes(out);
  }
}
