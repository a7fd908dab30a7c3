package io.vizrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 8: behind a trusted proxy ({@code VIZRELAY_TRUSTED_PROXIES}) the sign-in limiter
 * counts per forwarded client, so one client's guesses do not lock out another; from any other peer
 * {@code X-Forwarded-For} is ignored, so a client cannot buy fresh buckets by inventing addresses.
 * Attempts are sent at once (the limiter counts arrivals; answers wait for bcrypt), each for
 * another account, so only the address limit (bursts of 10) applies.
 */
class TrustedProxyTest {
  static final String PROXY = "127.0.0.1";
  static final String UNTRUSTED = "127.0.0.2";

  /** Sign-in attempts per address allowed at once. */
  static final int BURST = 10;

  static final int ATTEMPTS = 25;

  @TempDir Path dir;
  AuthFixture fx;
  int account;

  @BeforeEach
  void start() throws Exception {
    fx = AuthFixture.start(dir, Map.of("VIZRELAY_TRUSTED_PROXIES", PROXY + ",127.0.0.3"));
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void twoForwardedClientsAreLimitedApart() throws Exception {
    int first = throttled(PROXY, ATTEMPTS, i -> "10.1.0.1");
    assertTrue(first >= ATTEMPTS - BURST - 3, "one forwarded client is limited: " + first);
    assertEquals(0, throttled(PROXY, 5, i -> "10.1.0.2"), "another forwarded client is not");
  }

  @Test
  void chainedTrustedProxiesStillNameTheClient() throws Exception {
    int first = throttled(PROXY, ATTEMPTS, i -> "10.1.0.3, 127.0.0.3");
    assertTrue(first >= ATTEMPTS - BURST - 3, "the client behind two proxies is limited: " + first);
    assertEquals(
        0,
        throttled(PROXY, 5, i -> "10.1.0.4, 127.0.0.3"),
        "another client behind the same two proxies is not");
  }

  @Test
  void aForwardedHeaderFromAnUntrustedPeerIsIgnored() throws Exception {
    int spoofed = throttled(UNTRUSTED, ATTEMPTS, i -> "10.2.0." + i);
    assertTrue(
        spoofed >= ATTEMPTS - BURST - 3,
        "invented X-Forwarded-For addresses share the peer's bucket: " + spoofed);
  }

  @Test
  void aClientsOwnClaimsLeftOfTheProxysHopBuyNothing() throws Exception {
    int spoofed = throttled(PROXY, ATTEMPTS, i -> "10.3.0." + i + ", 10.1.0.9");
    assertTrue(
        spoofed >= ATTEMPTS - BURST - 3,
        "hops left of the proxy's own are the client's claims: " + spoofed);
  }

  /**
   * Sends {@code n} sign-ins at once from {@code source} with {@code X-Forwarded-For: xff(i)};
   * returns how many got 429.
   */
  private int throttled(String source, int n, IntFunction<String> xff) throws Exception {
    List<RawHttp> sent = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        RawHttp c = RawHttp.connect(fx.server.port(), source);
        sent.add(c);
        String body = "{\"username\":\"nobody" + account++ + "\",\"password\":\"x\"}";
        c.write(
            "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:"
                + fx.server.port()
                + "\r\nContent-Type: application/json\r\nX-Forwarded-For: "
                + xff.apply(i)
                + "\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
      }
      int throttled = 0;
      for (RawHttp c : sent) {
        int status = RawHttp.status(c.readHead());
        assertTrue(status == 401 || status == 429, "a refused sign-in: " + status);
        throttled += status == 429 ? 1 : 0;
      }
      return throttled;
    } finally {
      for (RawHttp c : sent) {
        c.close();
      }
    }
  }
}
