package io.vizrelay.taskinfo;

import io.vizrelay.common.cluster.ServiceProcess;
import java.util.List;

/**
 * The clustered taskinfo service (`java -jar taskinfo-service/target/vizrelay-taskinfo.jar`): one
 * process joining the Hazelcast-clustered Vert.x, configured from environment variables
 * (docs/CLUSTER.md).
 */
public final class TaskinfoMain {
  private TaskinfoMain() {}

  public static void main(String[] args) {
    ServiceProcess.run("taskinfo", List.of(TaskinfoVerticle::clustered));
  }
}
