package io.vizrelay.common.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Audit lines: the fields in the message and as key-value pairs, escaping, and the JSON form. */
class AuditLogTest {
  @Test
  void aLineCarriesEveryFieldAndCannotBeSplitByAValue() {
    try (AuditCapture audit = new AuditCapture()) {
      AuditLog.record(
          AuditLog.Event.STOP, AuditLog.Outcome.SUCCESS, "alice", "alice-mnist", "10.0.0.7", null);
      AuditLog.record(
          AuditLog.Event.SIGN_IN,
          AuditLog.Outcome.FAILURE,
          "eve\naudit event=sign_in outcome=success user=root",
          null,
          "127.0.0.1",
          "password");
      assertEquals(
          "audit event=stop outcome=success user=alice task=alice-mnist source=10.0.0.7 detail=-",
          audit.lines().get(0));
      String forged = audit.lines().get(1);
      assertFalse(forged.contains("\n"), forged);
      assertTrue(
          forged.contains("user=\"eve\\naudit event=sign_in outcome=success user=root\""), forged);
      Map<String, Object> kv = new HashMap<>();
      audit.events().get(0).getKeyValuePairs().forEach(p -> kv.put(p.key, p.value));
      assertEquals(
          Map.of(
              "event", "stop",
              "outcome", "success",
              "user", "alice",
              "task", "alice-mnist",
              "source", "10.0.0.7",
              "detail", "-"),
          kv);
    }
  }

  @Test
  void theJsonEncoderWritesTheFieldsAsJson() {
    try (AuditCapture audit = new AuditCapture()) {
      AuditLog.record(
          AuditLog.Event.SHARE,
          AuditLog.Outcome.DENIED,
          "bob",
          "alice-x",
          "10.1.2.3",
          "status=403");
      ILoggingEvent event = audit.events().get(0);
      JsonEncoder encoder = new JsonEncoder();
      encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
      encoder.start();
      JsonObject json = new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8));
      assertEquals(AuditLog.LOGGER, json.getString("loggerName"));
      JsonArray pairs = json.getJsonArray("kvpList");
      Map<String, Object> kv = new HashMap<>();
      pairs.forEach(p -> kv.putAll(((JsonObject) p).getMap()));
      assertEquals("share", kv.get("event"));
      assertEquals("denied", kv.get("outcome"));
      assertEquals("bob", kv.get("user"));
      assertEquals("alice-x", kv.get("task"));
      assertEquals("10.1.2.3", kv.get("source"));
    }
  }

  @Test
  void outcomesFollowTheStatus() {
    assertEquals(AuditLog.Outcome.SUCCESS, AuditLog.Outcome.ofStatus(204));
    assertEquals(AuditLog.Outcome.DENIED, AuditLog.Outcome.ofStatus(403));
    assertEquals(AuditLog.Outcome.DENIED, AuditLog.Outcome.ofStatus(401));
    assertEquals(AuditLog.Outcome.FAILURE, AuditLog.Outcome.ofStatus(404));
  }
}
