package io.vizrelay.app;

import static io.vizrelay.app.AuthFixture.bearer;
import static io.vizrelay.app.AuthFixture.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.app.AuthFixture.Reply;
import io.vizrelay.common.json.Json;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/tasks/{id}/windows/{win}/points} (issue 17) on the embedded server with auth on:
 * range queries give exactly the ingested points of random series (non-monotonic x, duplicates,
 * null gaps, appends), long ranges come bucketed within the budget, bad parameters are 400s with
 * the error catalog's body, unknown task/window 404, another user's task 403.
 */
class TracePointsTest {
  static final String TASK = "alice-zoom";

  @TempDir Path dir;
  AuthFixture fx;
  String alice;

  @BeforeEach
  void start() throws Exception {
    fx = AuthFixture.start(dir, Map.of("VIZRELAY_MAX_BODY_BYTES", "16777216"));
    alice = bearer(token("alice"));
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  /** A random series: x shuffled with duplicates, y with null gaps and NaN. */
  private static ArrayNode[] series(Random r, int n) {
    ArrayNode x = Json.NODES.arrayNode();
    ArrayNode y = Json.NODES.arrayNode();
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(4)) {
        case 0 -> x.add(r.nextInt(n / 2 + 1)); // duplicates, integers
        case 1 -> x.add(i);
        default -> x.add(r.nextDouble() * n);
      }
      int k = r.nextInt(20);
      if (k == 0) {
        y.addNull();
      } else {
        y.add(r.nextGaussian() * 10);
      }
    }
    return new ArrayNode[] {x, y};
  }

  private void plot(String win, ArrayNode x, ArrayNode y) throws Exception {
    ObjectNode body = Json.object().put("eid", "main").put("win", win);
    ObjectNode trace = body.putArray("data").addObject();
    trace.set("x", x);
    trace.set("y", y);
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    body.putObject("layout");
    body.putObject("opts");
    Reply r = fx.post("/task/" + TASK + "/events", Json.string(body), "Authorization", alice);
    assertEquals(200, r.status(), r.body());
  }

  /** visdom's {@code line(..., update='append')} to the trace named {@code train}. */
  private void append(String win, ArrayNode x, ArrayNode y) throws Exception {
    ObjectNode body = Json.object().put("eid", "main").put("win", win).put("append", true);
    ObjectNode trace = body.putArray("data").addObject();
    trace.set("x", x);
    trace.set("y", y);
    trace.put("name", "train").put("type", "scatter").put("mode", "lines");
    body.put("name", "train");
    body.putObject("layout");
    body.putObject("opts");
    Reply r = fx.post("/task/" + TASK + "/update", Json.string(body), "Authorization", alice);
    assertEquals(200, r.status(), r.body());
  }

  private Reply query(String credential, String task, String win, String params) throws Exception {
    return fx.get(
        "/api/tasks/" + task + "/windows/" + win + "/points?" + params,
        "Authorization",
        credential);
  }

  private static JsonNode json(Reply r) {
    return Json.parseTrusted(r.body().getBytes());
  }

  @Test
  void rangeQueriesAreExactAgainstTheIngestedPoints() throws Exception {
    Random r = new Random(17);
    ArrayNode[] first = series(r, 3000);
    ArrayNode[] more = series(r, 1000);
    plot("loss", first[0], first[1]);
    append("loss", more[0], more[1]);
    ArrayNode xs = first[0].deepCopy().addAll(more[0]);
    ArrayNode ys = first[1].deepCopy().addAll(more[1]);
    for (int q = 0; q < 30; q++) {
      double a = r.nextDouble() * 3000 - 100;
      double b = a + r.nextDouble() * 1500;
      Reply reply = query(alice, TASK, "loss", "trace=0&x0=" + a + "&x1=" + b + "&max_points=5000");
      assertEquals(200, reply.status(), reply.body());
      JsonNode got = json(reply);
      ArrayNode wantX = Json.NODES.arrayNode();
      ArrayNode wantY = Json.NODES.arrayNode();
      for (int i = 0; i < xs.size(); i++) {
        double x = xs.get(i).doubleValue();
        if (x >= a && x <= b) {
          wantX.add(xs.get(i));
          wantY.add(ys.get(i));
        }
      }
      assertFalse(got.path("downsampled").asBoolean(), "range " + a + ".." + b);
      assertEquals(wantX.size(), got.path("points").asInt());
      assertEquals(Json.string(wantX), Json.string(got.get("x")), "x of " + a + ".." + b);
      assertEquals(Json.string(wantY), Json.string(got.get("y")), "y of " + a + ".." + b);
    }
    JsonNode all = json(query(alice, TASK, "loss", "trace=0&max_points=10000"));
    assertEquals(Json.string(xs), Json.string(all.get("x")), "no range: every point");
    assertEquals(Json.string(ys), Json.string(all.get("y")));
  }

  @Test
  void aRangeOverTheBudgetIsBucketedAndKeepsItsExtremes() throws Exception {
    int n = 20_000;
    ArrayNode x = Json.NODES.arrayNode();
    ArrayNode y = Json.NODES.arrayNode();
    for (int i = 0; i < n; i++) {
      x.add(i);
      y.add(i == 12_345 ? 1e6 : Math.sin(i / 50.0));
    }
    plot("big", x, y);
    JsonNode got = json(query(alice, TASK, "big", "trace=0&x0=10000&x1=19999&max_points=400"));
    assertTrue(got.path("downsampled").asBoolean());
    assertEquals(10_000, got.path("points").asInt());
    assertTrue(got.get("x").size() <= 400 && got.get("x").size() == got.get("y").size());
    assertEquals(10_000, got.get("x").get(0).asInt(), "first point of the range kept");
    assertEquals(19_999, got.get("x").get(got.get("x").size() - 1).asInt(), "last kept");
    boolean spike = false;
    for (JsonNode v : got.get("y")) {
      spike |= v.asDouble() == 1e6;
    }
    assertTrue(spike, "the spike survives");
  }

  @Test
  void badParametersAre400sAndUnknownsAre404s() throws Exception {
    plot("loss", Json.NODES.arrayNode().add(1).add(2), Json.NODES.arrayNode().add(3).add(4));
    for (String bad :
        new String[] {
          "",
          "trace=-1",
          "trace=abc",
          "trace=5",
          "trace=0&x0=3&x1=1",
          "trace=0&x0=NaN",
          "trace=0&x1=Infinity",
          "trace=0&x0=zz",
          "trace=0&max_points=5",
          "trace=0&max_points=1000001",
          "trace=0&max_points=many"
        }) {
      Reply r = query(alice, TASK, "loss", bad);
      assertEquals(400, r.status(), bad + ": " + r.body());
      assertEquals("INVALID_FIELD", json(r).at("/error/code").asText(), bad);
    }
    Reply noWindow = query(alice, TASK, "nope", "trace=0");
    assertEquals(404, noWindow.status());
    assertEquals("WINDOW_NOT_FOUND", json(noWindow).at("/error/code").asText());
    Reply noEnv = query(alice, TASK, "loss", "trace=0&env=other");
    assertEquals(404, noEnv.status());
    assertEquals("ENV_NOT_FOUND", json(noEnv).at("/error/code").asText());
    Reply noTask = query(alice, "alice-none", "loss", "trace=0");
    assertEquals(404, noTask.status());
    assertEquals("TASK_NOT_FOUND", json(noTask).at("/error/code").asText());
    JsonNode ok = json(query(alice, TASK, "loss", "trace=0"));
    assertEquals("[1,2]", Json.string(ok.get("x")));
    assertEquals("[3,4]", Json.string(ok.get("y")));
  }

  @Test
  void anotherUsersTaskIsRefusedUnlessShared() throws Exception {
    assertEquals(
        201,
        fx.post("/api/tasks", "{\"task_id\":\"" + TASK + "\"}", "Authorization", alice).status());
    plot("loss", Json.NODES.arrayNode().add(1), Json.NODES.arrayNode().add(2));
    String bob = bearer(token("bob"));
    Reply refused = query(bob, TASK, "loss", "trace=0");
    assertEquals(403, refused.status());
    assertEquals("FORBIDDEN", json(refused).at("/error/code").asText());
    Reply probe = query(bob, TASK, "nope", "trace=0");
    assertEquals(403, probe.status(), "refused before any 404: no probing of windows");
    Reply anonymous = fx.get("/api/tasks/" + TASK + "/windows/loss/points?trace=0");
    assertEquals(401, anonymous.status());
    String budgeted = "/socket?task_id=" + TASK + "&format=compact&max_points=4000";
    assertEquals(403, fx.socket(budgeted, "Authorization", bob).status(), "the socket too");
    assertEquals(
        200,
        fx.send(
                "PUT",
                "/api/tasks/" + TASK + "/shared_with",
                "{\"users\":[\"bob\"]}",
                "Authorization",
                alice,
                "Content-Type",
                "application/json")
            .status());
    Reply shared = query(bob, TASK, "loss", "trace=0");
    assertEquals(200, shared.status(), shared.body());
    assertEquals("[2]", Json.string(json(shared).get("y")));
    AuthFixture.Upgrade watching = fx.socket(budgeted, "Authorization", bob);
    assertEquals(101, watching.status(), "shared: bob may watch with a budget");
    watching.await("\"layout\"");
    watching.ws().close();
  }
}
