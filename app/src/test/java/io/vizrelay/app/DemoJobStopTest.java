package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo job registers as stoppable and honours Stop like a job under {@code vizrelay run}. */
class DemoJobStopTest {
  @TempDir Path dir;

  @Test
  void stopEndsTheDemoRunAndItIsReportedStopped() throws Exception {
    try (TestServer server = TestServer.start(dir.resolve("data"))) {
      String url = "http://127.0.0.1:" + server.port();
      TestServer.await(server.vertx.deployVerticle(new DemoJob(url, DemoJob.TASK_ID)));
      LauncherTest.until(
          "demo registered as stoppable",
          () -> task(server).path("stoppable").asBoolean() ? true : null);
      assertEquals(200, server.post("/api/tasks/" + DemoJob.TASK_ID + "/stop", "{}").status());
      JsonNode task =
          LauncherTest.until(
              "demo reported stopped",
              () -> "stopped".equals(task(server).path("status").asText()) ? task(server) : null);
      assertEquals(DemoJob.STOPPED_EXIT_CODE, task.path("exit_code").asInt());
      Browser browser = server.browser("/socket?task_id=" + DemoJob.TASK_ID);
      LauncherTest.until(
          "the log says the run was stopped",
          () -> {
            TestServer.await(browser.barrier());
            return browser.frames().toString().contains("Stop requested: training stopped")
                ? true
                : null;
          });
      TestServer.await(browser.close());
    }
  }

  private static JsonNode task(TestServer server) throws Exception {
    TestServer.Response r = server.get("/api/tasks/" + DemoJob.TASK_ID);
    return r.status() == 200
        ? io.vizrelay.common.json.Json.parseTrusted(r.body().getBytes())
        : io.vizrelay.common.json.Json.object();
  }
}
