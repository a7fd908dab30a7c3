package io.vizrelay.socket;

import io.vizrelay.common.cluster.ServiceProcess;
import java.util.List;

/**
 * The clustered socket service (`java -jar socket-service/target/vizrelay-socket.jar`): one process
 * joining the Hazelcast-clustered Vert.x, configured from environment variables (docs/CLUSTER.md).
 */
public final class SocketMain {
  private SocketMain() {}

  public static void main(String[] args) {
    ServiceProcess.run(
        "socket", List.of(c -> new SocketVerticle(c.config(), c.store(), c.router())));
  }
}
