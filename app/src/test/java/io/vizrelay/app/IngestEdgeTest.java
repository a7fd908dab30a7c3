package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vizrelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input gets one JSON error shape and changes nothing; appends cost O(delta) on the wire. */
class IngestEdgeTest extends EmbeddedServerTest {
  static final String TASK = "alice-edge";

  @Override
  Map<String, String> env() {
    return Map.of("VIZRELAY_MAX_BODY_BYTES", "65536");
  }

  @BeforeEach
  void createWindow() throws Exception {
    assertEquals(200, server.post("/update", Frames.body(TASK, "loss", 0, 0)).status());
  }

  @ParameterizedTest(name = "{0} {1} -> {2} {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/update | {\"task_id\":\"alice-edge\",\"win\":\"loss\",\"data\": | 400 | INVALID_JSON",
        "/update | [1,2,3] | 400 | INVALID_EVENT",
        "/update | {\"task_id\":\"bad id/../x\",\"win\":\"loss\",\"data\":[]} | 400 | INVALID_TASK_ID",
        "/update | {\"task_id\":\"alice-edge\",\"win\":\"loss\",\"data\":\"x\"} | 400 | INVALID_EVENT",
        "/update | {\"task_id\":\"alice-edge\",\"win\":\"loss\",\"append\":\"yes\",\"data\":[]} | 400 | INVALID_FIELD",
        "/events | {\"task_id\":\"alice-edge\",\"win\":\"p\",\"data\":[{\"x\":[1],\"y\":[1],\"type\":\"scatter\"}]} | 400 | INVALID_EVENT",
        "/events | {\"task_id\":\"alice-edge\",\"win\":\"p\",\"data\":[],\"layout\":{}} | 400 | INVALID_EVENT",
        "/events | {\"task_id\":\"alice-edge\",\"win\":\"a\\u0001b\",\"data\":[{\"content\":\"t\",\"type\":\"text\"}]} | 400 | INVALID_WINDOW",
        "/task/alice-edge/nope | {} | 404 | NOT_FOUND",
        "/env/other | {\"sid\":\"no-hub-in-this-id\"} | 404 | NOT_FOUND",
        "/env/other | {\"sid\":\"01234567-89ab-4def-8000-000000000000\"} | 404 | NOT_FOUND",
      })
  void aRejectedRequestGetsAJsonErrorAndChangesNothing(
      String path, String body, int status, String code) throws Exception {
    long before = lastSeq();
    TestServer.Response r = server.post(path, body);
    assertEquals(status, r.status(), r.body());
    JsonNode error = Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8)).path("error");
    assertEquals(code, error.path("code").asText(), r.body());
    assertTrue(error.path("message").asText().length() > 3, "a message for humans");
    assertEquals(before, lastSeq(), "nothing changed");
    assertEquals(
        200,
        server.post("/update", Frames.body(TASK, "loss", 1, 1)).status(),
        "the task still works");
  }

  @Test
  void anEnvSwitchForAnUnknownSessionOfALiveHubIs404() throws Exception {
    Browser b = server.browser("/socket?task_id=" + TASK);
    b.awaitCount(1, 10_000); // the first frame is register, with the sid
    String sid = b.sid();
    String other =
        sid.substring(0, 14) + java.util.UUID.randomUUID().toString().substring(14); // same hub
    TestServer.Response r = server.post("/env/other", "{\"sid\":\"" + other + "\"}");
    assertEquals(404, r.status(), r.body());
    assertEquals(
        200,
        server.post("/env/other", "{\"sid\":\"" + sid + "\"}").status(),
        "the real session switches");
  }

  @Test
  void anOversizedBodyIs413AndChangesNothing() throws Exception {
    long before = lastSeq();
    String big =
        "{\"task_id\":\"alice-edge\",\"win\":\"t\",\"data\":[{\"content\":\""
            + "x".repeat(70_000)
            + "\",\"type\":\"text\"}]}";
    TestServer.Response r = server.post("/events", big);
    assertEquals(413, r.status());
    assertEquals(
        "PAYLOAD_TOO_LARGE",
        Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
            .path("error")
            .path("code")
            .asText());
    assertEquals(before, lastSeq());
  }

  @Test
  void aLargeBodySentWithAFormContentTypeIsStillReadAsJson() throws Exception {
    String body = SlowBody.append(TASK, 5000, 1000);
    assertTrue(body.length() > 8192, "larger than a form field may be");
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/update"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build();
    var response = server.jdk.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("loss", response.body());
  }

  @Test
  void aMalformedSocketRequestIsRefusedBeforeTheUpgrade() throws Exception {
    TestServer.Response r = server.get("/socket?task_id=bad%20id");
    assertEquals(400, r.status());
    assertEquals(
        "INVALID_TASK_ID",
        Json.parseTrusted(r.body().getBytes(StandardCharsets.UTF_8))
            .path("error")
            .path("code")
            .asText());
    assertEquals(400, server.get("/socket?task_id=alice-edge&since=nope").status());
  }

  @Test
  void compactAppendFramesCostAboutWhatTheIngestBodyCostsPerPoint() throws Exception {
    Browser compact = server.browser("/socket?task_id=" + TASK + "&format=compact");
    compact.await("layout", 5000);
    int points = 100;
    String body = SlowBody.append(TASK, 1000, points);
    assertEquals(200, server.post("/update", body).status());
    JsonNode append = compact.await("append", 10_000);
    int frameBytes = Json.bytes(append).length;
    double ratio =
        (frameBytes / (double) points)
            / (body.getBytes(StandardCharsets.UTF_8).length / (double) points);
    System.out.printf(
        "compact append: %d B for %d points (%.2fx the ingest body per point)%n",
        frameBytes, points, ratio);
    assertTrue(
        ratio <= 1.2, "compact bytes per point <= 1.2x ingest bytes per point, was " + ratio);
  }

  @Test
  void aOnePointAppendCostsTheSameWireBytesIntoABigWindowAsIntoASmallOne() throws Exception {
    Browser visdom = server.browser("/socket?task_id=" + TASK);
    visdom.await("layout", 5000);
    assertEquals(200, server.post("/update", Frames.body(TASK, "loss", 2, 2)).status());
    for (int chunk = 0; chunk < 25; chunk++) {
      assertEquals(
          200, server.post("/update", SlowBody.append(TASK, 10 + chunk * 2000, 2000)).status());
    }
    assertEquals(200, server.post("/update", Frames.body(TASK, "loss", 60_000, 2)).status());
    visdom.awaitSeq(TestServer.await(server.server.store().stats(TASK)).lastSeq(), 10_000);
    var updates = visdom.frames("window_update");
    int small = Json.bytes(updates.get(0)).length;
    int big = Json.bytes(updates.get(updates.size() - 1)).length;
    System.out.printf(
        "1-point window_update: %d B into a 3-point window, %d B into a 50k-point window%n",
        small, big);
    assertTrue(
        Math.abs(big - small) <= 16,
        "wire bytes independent of window size: " + small + " vs " + big);
  }

  private long lastSeq() throws Exception {
    Browser b = server.browser("/socket?task_id=" + TASK);
    long seq = b.await("sync", 5000).path("seq").asLong();
    TestServer.await(b.close());
    return seq;
  }

  /** Bodies with many points. */
  static final class SlowBody {
    static String append(String task, int from, int points) {
      StringBuilder x = new StringBuilder();
      StringBuilder y = new StringBuilder();
      for (int i = 0; i < points; i++) {
        x.append(i == 0 ? "" : ", ").append(from + i).append(".0");
        y.append(i == 0 ? "" : ", ").append(0.5 + (from + i) % 97 / 100.0);
      }
      return "{\"data\": [{\"x\": ["
          + x
          + "], \"y\": ["
          + y
          + "], \"name\": \"train\", \"type\": \"scatter\", \"mode\": \"lines\"}],"
          + " \"win\": \"loss\", \"eid\": \"main\", \"layout\": {}, \"opts\": {}, \"name\": \"train\", \"append\": true,"
          + " \"task_id\": \""
          + task
          + "\"}";
    }
  }
}
