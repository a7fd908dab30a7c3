package io.vizrelay.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.config.AuthConfig;
import io.vizrelay.common.config.VizConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secure by default: no auth means loopback only, unless explicitly accepted (issue 7 item 3). */
class AuthConfigTest {
  static final String SECRET = "s".repeat(32);

  @Test
  void defaultsAreNoAuthOnLoopback() {
    VizConfig c = VizConfig.defaults();
    assertFalse(c.auth().enabled());
    assertEquals("127.0.0.1", c.host());
    assertEquals(200, c.auth().ingestRatePerSecond());
    assertEquals(64, c.auth().maxConnectionsPerUser());
  }

  @Test
  void aNonLoopbackBindWithoutAuthRefusesToStart() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VizConfig.fromEnv(Map.of("VIZRELAY_HOST", "0.0.0.0")));
    assertTrue(e.getMessage().contains("VIZRELAY_INSECURE_BIND"), e.getMessage());
  }

  @Test
  void theInsecureFlagOrAuthAllowsANonLoopbackBind() {
    assertEquals(
        "0.0.0.0",
        VizConfig.fromEnv(Map.of("VIZRELAY_HOST", "0.0.0.0", "VIZRELAY_INSECURE_BIND", "true"))
            .host());
    VizConfig jwt =
        VizConfig.fromEnv(
            Map.of(
                "VIZRELAY_HOST",
                "0.0.0.0",
                "VIZRELAY_AUTH",
                "jwt",
                "VIZRELAY_JWT_HS256_SECRET",
                SECRET));
    assertTrue(jwt.auth().enabled());
  }

  @Test
  void loopbackNamesAreRecognised() {
    assertTrue(AuthConfig.isLoopback("127.0.0.1"));
    assertTrue(AuthConfig.isLoopback("localhost"));
    assertTrue(AuthConfig.isLoopback("::1"));
    assertFalse(AuthConfig.isLoopback("0.0.0.0"));
    assertFalse(AuthConfig.isLoopback("10.0.0.1"));
  }

  @Test
  void loopbackAddressesAreExactlyOneTwoSevenAndThreeGroupsOfOneToThreeDigits() {
    for (String yes : List.of("127.0.0.1", "127.1.22.255", "127.999.0.1", "LocalHost", "[::1]")) {
      assertTrue(AuthConfig.isLoopback(yes), yes);
    }
    for (String no :
        List.of(
            "127.0.0.1.example",
            "127.0.0",
            "127.0.0.",
            "127..0.1",
            "127.0.0.1234",
            "127.0.0.1 ",
            "1270.0.0.1",
            "127.0.0.a",
            "127.0.0.\u0661",
            "127",
            "",
            "localhost.example")) {
      assertFalse(AuthConfig.isLoopback(no), no);
    }
  }

  @Test
  void unusableAuthSettingsFailStartUp() {
    assertThrows(
        IllegalArgumentException.class,
        () -> VizConfig.fromEnv(Map.of("VIZRELAY_AUTH", "jwt")),
        "no key");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VizConfig.fromEnv(Map.of("VIZRELAY_AUTH", "jwt", "VIZRELAY_JWT_HS256_SECRET", "short")),
        "short secret");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VizConfig.fromEnv(
                Map.of(
                    "VIZRELAY_AUTH",
                    "jwt",
                    "VIZRELAY_JWT_PUBLIC_KEY_FILE",
                    "/k.pem",
                    "VIZRELAY_USERS_FILE",
                    "/u")),
        "users file without a signing secret");
    assertThrows(
        IllegalArgumentException.class, () -> VizConfig.fromEnv(Map.of("VIZRELAY_AUTH", "ldap")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VizConfig.fromEnv(
                Map.of("VIZRELAY_AUTH", "jwt", "VIZRELAY_JWT_SECRET_FILE", "/does/not/exist")));
  }

  @Test
  void theSecretNeverAppearsInTheConfigsText() {
    VizConfig c =
        VizConfig.fromEnv(Map.of("VIZRELAY_AUTH", "jwt", "VIZRELAY_JWT_HS256_SECRET", SECRET));
    assertFalse(c.toString().contains(SECRET));
  }
}
