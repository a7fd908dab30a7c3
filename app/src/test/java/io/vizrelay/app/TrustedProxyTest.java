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

  static final int ATTEMPTS = 40;

  /**
   * Past the burst (10 at once), at least this many of {@link #ATTEMPTS} sent at once are
   * throttled.
   */
  static final int LIMITED = 5;

  @TempDir Path dir;
  AuthFixture fx;
  int account;
  final List<RawHttp> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fx = AuthFixture.start(dir, Map.of("VIZRELAY_TRUSTED_PROXIES", PROXY + ",127.0.0.3"));
  }

  @AfterEach
  void stop() throws Exception {
    for (RawHttp c : open) {
      c.close();
    }
    fx.close();
  }

  @Test
  void twoForwardedClientsAreLimitedApart() throws Exception {
    assertLimitedApart("10.1.0.1", "10.1.0.2");
  }

  @Test
  void chainedTrustedProxiesStillNameTheClient() throws Exception {
    assertLimitedApart("10.1.0.3, 127.0.0.3", "10.1.0.4, 127.0.0.3");
  }

  @Test
  void aForwardedHeaderFromAnUntrustedPeerIsIgnored() throws Exception {
    int spoofed = throttled(send(UNTRUSTED, ATTEMPTS, i -> "10.2.0." + i));
    assertTrue(
        spoofed >= LIMITED,
        "invented X-Forwarded-For addresses share the peer's bucket: " + spoofed);
  }

  @Test
  void aClientsOwnClaimsLeftOfTheProxysHopBuyNothing() throws Exception {
    int spoofed = throttled(send(PROXY, ATTEMPTS, i -> "10.3.0." + i + ", 10.1.0.9"));
    assertTrue(
        spoofed >= LIMITED, "hops left of the proxy's own are the client's claims: " + spoofed);
  }

  /**
   * Both clients' attempts at once through the proxy: the first, past its burst, is throttled; the
   * second, within it, is not.
   */
  private void assertLimitedApart(String first, String second) throws Exception {
    List<RawHttp> a = send(PROXY, ATTEMPTS, i -> first);
    List<RawHttp> b = send(PROXY, 5, i -> second);
    int throttledA = throttled(a);
    int throttledB = throttled(b);
    assertTrue(throttledA >= LIMITED, first + " is limited: " + throttledA);
    assertEquals(0, throttledB, second + " is limited apart from " + first);
  }

  /**
   * Sends {@code n} sign-ins from {@code source} with {@code X-Forwarded-For: xff(i)}, each for
   * another account; the connections wait for their answers.
   */
  private List<RawHttp> send(String source, int n, IntFunction<String> xff) throws Exception {
    List<RawHttp> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RawHttp c = RawHttp.connect(fx.server.port(), source);
      open.add(c);
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
    return sent;
  }

  /** How many of the sign-ins sent on {@code sent} got 429 (the rest 401). */
  private static int throttled(List<RawHttp> sent) throws Exception {
    int throttled = 0;
    for (RawHttp c : sent) {
      int status = RawHttp.status(c.readHead());
      assertTrue(status == 401 || status == 429, "a refused sign-in: " + status);
      throttled += status == 429 ? 1 : 0;
    }
    return throttled;
  }
}
