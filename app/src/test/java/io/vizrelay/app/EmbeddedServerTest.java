package io.vizrelay.app;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of tests against one embedded server per test, on port 0 in a fresh data directory. */
abstract class EmbeddedServerTest {
  @TempDir Path dir;
  TestServer server;

  /** Extra environment for this class's server (defaults otherwise). */
  Map<String, String> env() {
    return Map.of();
  }

  @BeforeEach
  void startServer() throws Exception {
    server = TestServer.start(dir, env());
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }
}
