package io.vizrelay.ingest;

import io.vizrelay.common.cluster.ServiceProcess;
import java.util.List;

/**
 * The clustered ingest service (`java -jar ingest-service/target/vizrelay-ingest.jar`): one process
 * joining the Hazelcast-clustered Vert.x, configured from environment variables (docs/CLUSTER.md).
 */
public final class IngestMain {
  private IngestMain() {}

  public static void main(String[] args) {
    ServiceProcess.run(
        "ingest", List.of(c -> new IngestVerticle(c.config(), c.store(), c.router())));
  }
}
