package io.vizrelay.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class AddressesTest {

  @Test
  void aSessionIdIsAUuid4ThatNamesItsHub() {
    String hub = Addresses.newHubId();
    String sid = Addresses.newSessionId(hub);
    assertEquals(4, UUID.fromString(sid).version(), sid);
    assertEquals(2, UUID.fromString(sid).variant(), sid);
    assertEquals(Addresses.sessions(hub), Addresses.sessionsOf(sid));
    assertNotEquals(sid, Addresses.newSessionId(hub), "random per session");
    assertEquals(Addresses.sessions(hub), Addresses.sessionsOf(Addresses.newSessionId(hub)));
  }

  @Test
  void anythingElseNamesNoHub() {
    assertNull(Addresses.sessionsOf(null));
    assertNull(Addresses.sessionsOf("nope"));
    assertNull(Addresses.sessionsOf("../../etc"));
    assertNull(Addresses.sessionsOf(UUID.randomUUID().toString().toUpperCase()));
    assertNull(
        Addresses.sessionsOf("01234567-89ab-1def-8000-000000000000"), "not a version-4 uuid");
  }
}
