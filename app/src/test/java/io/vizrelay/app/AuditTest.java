package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.vizrelay.common.audit.AuditCapture;
import io.vizrelay.common.audit.AuditLog;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log end to end: sign-ins (good and bad), sign-out, stop, share, unshare and delete on
 * the embedded server write one line each with the user, the task, the source address and the
 * outcome (refusals too); the shipped logback.xml switches to JSON with {@code
 * VIZRELAY_LOG_FORMAT=json}.
 */
class AuditTest {
  @TempDir Path dir;

  @Test
  void signInsAndTaskActionsAreAudited() throws Exception {
    try (AuditCapture audit = new AuditCapture();
        AuthFixture f = AuthFixture.start(dir, Map.of())) {
      String json = "application/json";
      assertEquals(
          401,
          f.post(
                  "/auth/login",
                  "{\"username\":\"alice\",\"password\":\"nope\"}",
                  "Content-Type",
                  json)
              .status());
      audit.await("event=sign_in", "outcome=failure", "user=alice", "source=127.0.0.1");
      AuthFixture.Reply login =
          f.post(
              "/auth/login",
              "{\"username\":\"alice\",\"password\":\"alice-pw\"}",
              "Content-Type",
              json);
      assertEquals(200, login.status());
      audit.await("event=sign_in", "outcome=success", "user=alice", "source=127.0.0.1");
      String alice = AuthFixture.bearer(AuthFixture.token("alice"));
      String bob = AuthFixture.bearer(AuthFixture.token("bob"));
      assertEquals(
          201, f.post("/api/tasks", "{\"task_id\":\"alice-au\"}", "Authorization", alice).status());

      assertEquals(
          200,
          f.send(
                  "PUT",
                  "/api/tasks/alice-au/shared_with",
                  "{\"users\":[\"bob\",\"carol\"]}",
                  "Authorization",
                  alice)
              .status());
      audit.await(
          "event=share", "outcome=success", "user=alice", "task=alice-au", "added=bob,carol");
      assertEquals(
          200,
          f.send(
                  "PUT",
                  "/api/tasks/alice-au/shared_with",
                  "{\"users\":[\"carol\"]}",
                  "Authorization",
                  alice)
              .status());
      audit.await("event=unshare", "outcome=success", "user=alice", "task=alice-au", "removed=bob");

      assertEquals(403, f.post("/api/tasks/alice-au/stop", "{}", "Authorization", bob).status());
      audit.await("event=stop", "outcome=denied", "user=bob", "task=alice-au", "source=127.0.0.1");
      assertEquals(401, f.post("/api/tasks/alice-au/stop", "{}").status());
      audit.await("event=stop", "outcome=denied", "user=-", "task=alice-au");
      assertEquals(200, f.post("/api/tasks/alice-au/stop", "{}", "Authorization", alice).status());
      audit.await("event=stop", "outcome=success", "user=alice", "task=alice-au");
      int deleted = f.send("DELETE", "/api/tasks/alice-au", null, "Authorization", alice).status();
      assertTrue(deleted == 200 || deleted == 204, "deleted: " + deleted);
      audit.await("event=delete", "outcome=success", "user=alice", "task=alice-au");

      String cookie = login.header("Set-Cookie").split(";")[0];
      assertEquals(204, f.post("/auth/logout", null, "Cookie", cookie).status());
      audit.await("event=sign_out", "outcome=success", "user=alice");
    }
  }

  @Test
  void logSetupSwitchesToJson() {
    assertTrue(encoderOf("json") instanceof JsonEncoder);
    assertTrue(encoderOf("text") instanceof LayoutWrappingEncoder<?>);
    assertTrue(encoderOf(null) instanceof LayoutWrappingEncoder<?>, "text by default");
  }

  /** The root appender's encoder when the jar's {@link LogSetup} runs with the given format. */
  private static Object encoderOf(String format) {
    LoggerContext context = new LoggerContext();
    LogSetup.configure(context, format);
    try {
      ConsoleAppender<?> appender =
          (ConsoleAppender<?>) context.getLogger("ROOT").iteratorForAppenders().next();
      return appender.getEncoder();
    } finally {
      context.stop();
    }
  }

  static {
    // the audit logger is the one the code writes to
    assertEquals("vizrelay.audit", AuditLog.LOGGER);
  }
}
