package io.vizrelay.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vizrelay.common.error.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-process socket counts (the embedded jar, and a node whose grid does not answer). */
class ConnectionCountsTest {
  static final int MAX = 3;

  static Principal user(String name) {
    return new Principal(name, Set.of(), null, null, "user:" + name);
  }

  static ConnectionCounts.Lease granted(Future<ConnectionCounts.Lease> f) {
    assertTrue(f.succeeded(), () -> "granted: " + f.cause());
    return f.result();
  }

  static void refused(Future<ConnectionCounts.Lease> f) {
    assertTrue(f.failed(), "refused at the limit");
    ApiException e = assertInstanceOf(ApiException.class, f.cause());
    assertEquals(429, e.status());
  }

  @Test
  void aUserGetsMaxSocketsAndOtherUsersTheirOwn() {
    ConnectionCounts counts = new ConnectionCounts(ConnectionCounts.Kind.BROWSER, true, MAX);
    List<ConnectionCounts.Lease> held = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      held.add(granted(counts.acquire(user("alice"))));
    }
    refused(counts.acquire(user("alice")));
    assertEquals(MAX, counts.open("alice"));
    granted(counts.acquire(user("bob")));
    held.get(0).release();
    granted(counts.acquire(user("alice")));
    refused(counts.acquire(user("alice")));
  }

  @Test
  void releasingALeaseTwiceCountsOnce() {
    ConnectionCounts counts = new ConnectionCounts(ConnectionCounts.Kind.JOB, true, MAX);
    List<ConnectionCounts.Lease> held = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      held.add(granted(counts.acquire(user("alice"))));
    }
    ConnectionCounts.Lease first = held.get(0);
    first.release();
    first.release(); // close frame and TCP drop both report the same socket
    first.release();
    assertEquals(MAX - 1, counts.open("alice"));
    granted(counts.acquire(user("alice")));
    refused(counts.acquire(user("alice")));
  }

  @Test
  void aFailedUpgradeGivesItsLeaseBack() {
    ConnectionCounts counts = new ConnectionCounts(ConnectionCounts.Kind.JOB, true, 1);
    Future<ConnectionCounts.Lease> lease = counts.acquire(user("alice"));
    // what SocketVerticle and VisSocketHub do when toWebSocket() fails after the lease arrived
    Future<Void> upgrade = Future.failedFuture("connection reset during the handshake");
    upgrade.onFailure(err -> lease.result().release());
    assertEquals(0, counts.open("alice"));
    ConnectionCounts.Lease next = granted(counts.acquire(user("alice")));
    next.release();
    lease.result().release(); // a late second release of the failed one changes nothing
    assertEquals(0, counts.open("alice"));
    granted(counts.acquire(user("alice")));
    refused(counts.acquire(user("alice")));
  }

  @Test
  void withAuthOffNothingIsCounted() {
    ConnectionCounts counts = new ConnectionCounts(ConnectionCounts.Kind.BROWSER, false, 1);
    for (int i = 0; i < 5; i++) {
      granted(counts.acquire(user("alice"))).release();
      granted(counts.acquire(user("alice")));
    }
    assertEquals(0, counts.open("alice"));
  }
}
