package io.vizrelay.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;
import io.vizrelay.common.visdom.VisdomCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ingest edge on its own: a visdom client's JSON body becomes one typed command (or a 4xx
 * {@link ApiException} from the catalog), and its data points are counted as the limit counts them.
 * The end-to-end behaviour over HTTP is in app's {@code IngestEdgeTest}.
 */
class VisdomRequestsTest {
  @Test
  void eachEndpointDecodesToItsCommand() {
    VisdomCommand.CreateWindow create =
        assertInstanceOf(
            VisdomCommand.CreateWindow.class,
            decode(
                "events",
                "{\"eid\":\"a/b\",\"win\":\"loss\",\"data\":[{\"x\":[1,2],\"y\":[3,4]}],\"layout\":{},\"opts\":{\"title\":\"t\"}}"));
    assertEquals("a_b", create.eid(), "visdom's escape_eid: / becomes _");
    assertEquals("loss", create.win());
    assertEquals("t", create.opts().path("title").asText());

    VisdomCommand.UpdateWindow update =
        assertInstanceOf(
            VisdomCommand.UpdateWindow.class,
            decode(
                "update",
                "{\"win\":\"loss\",\"data\":{\"x\":[5]},\"name\":\"train\",\"append\":true}"));
    assertEquals("main", update.eid(), "no eid means main");
    assertEquals(1, update.data().size(), "an object data (embeddings) becomes a one-element list");
    assertTrue(update.append());
    assertEquals("train", update.name());

    assertInstanceOf(VisdomCommand.WinExists.class, decode("win_exists", "{\"win\":\"loss\"}"));
    assertInstanceOf(VisdomCommand.GetWinData.class, decode("win_data", "{\"win\":\"loss\"}"));
    VisdomCommand.SetWinData set =
        assertInstanceOf(
            VisdomCommand.SetWinData.class,
            decode("win_data", "{\"win\":\"loss\",\"data\":{\"a\":1}}"));
    assertEquals("{\"a\":1}", set.data());
    assertInstanceOf(VisdomCommand.CloseWindow.class, decode("close", "{\"win\":null}"));
    assertInstanceOf(VisdomCommand.DeleteEnv.class, decode("delete_env", "{\"eid\":\"x\"}"));
    assertInstanceOf(VisdomCommand.ListEnvs.class, decode("env_state", "{}"));
    VisdomCommand.ForkEnv fork =
        assertInstanceOf(
            VisdomCommand.ForkEnv.class,
            decode("fork_env", "{\"prev_eid\":\"a/b\",\"eid\":\"c\"}"));
    assertEquals("a_b", fork.prevEid());
    VisdomCommand.SaveEnvs save =
        assertInstanceOf(VisdomCommand.SaveEnvs.class, decode("save", "{\"data\":[\"a\",\"b\"]}"));
    assertEquals(List.of("a", "b"), save.eids());
    assertEquals("x_y", ((VisdomCommand.CreateEnv) VisdomRequests.createEnv("x/y")).eid());
  }

  @Test
  void malformedBodiesAreClientErrorsFromTheCatalog() {
    assertCode(ErrorCode.INVALID_EVENT, "events", "[1,2]");
    assertCode(ErrorCode.INVALID_EVENT, "events", "{\"data\":{\"x\":1}}");
    assertCode(ErrorCode.INVALID_EVENT, "events", "{\"data\":[],\"opts\":[1]}");
    assertCode(ErrorCode.INVALID_FIELD, "update", "{\"win\":{\"a\":1}}");
    assertCode(ErrorCode.INVALID_FIELD, "update", "{\"append\":\"yes\"}");
    assertCode(ErrorCode.INVALID_FIELD, "fork_env", "{\"eid\":\"c\"}");
    assertCode(ErrorCode.INVALID_EVENT, "save", "{\"data\":\"a\"}");
    assertCode(ErrorCode.NOT_FOUND, "nothing", "{}");
  }

  @Test
  void pointsAreCountedPerTraceAsTheLimitCountsThem() {
    assertEquals(3, IngestPoints.of(decode("events", "{\"data\":[{\"x\":[1,2,3],\"y\":[1,2]}]}")));
    assertEquals(
        5,
        IngestPoints.of(
            decode(
                "update",
                "{\"win\":\"w\",\"data\":[{\"x\":[1],\"y\":[1]},{\"x\":[1,2,3,4],\"y\":[1]}],\"append\":true}")));
    assertEquals(
        0,
        IngestPoints.of(decode("update", "{\"win\":\"w\",\"name\":\"t\",\"delete\":true}")),
        "a deleted trace adds no points");
    assertEquals(0, IngestPoints.of(decode("close", "{\"win\":\"w\"}")));
    assertNull(((VisdomCommand.CloseWindow) decode("close", "{}")).win());
  }

  private static VisdomCommand decode(String endpoint, String body) {
    return VisdomRequests.decode(endpoint, json(body));
  }

  private static JsonNode json(String body) {
    return Json.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertCode(ErrorCode code, String endpoint, String body) {
    ApiException e =
        assertThrows(ApiException.class, () -> decode(endpoint, body), endpoint + " " + body);
    assertEquals(code, e.code(), endpoint + " " + body + ": " + e.getMessage());
  }
}
