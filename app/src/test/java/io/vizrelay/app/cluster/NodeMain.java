package io.vizrelay.app.cluster;

import io.vizrelay.common.cluster.ClusterConfig;
import io.vizrelay.common.cluster.ClusterNode;
import io.vizrelay.common.config.VizConfig;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * A whole clustered node (ingest + socket + taskinfo on one HTTP server) as its own JVM, for the
 * multi-process test: configured like the service jars, it writes its HTTP port to {@code
 * $VIZRELAY_DATA_DIR/port} once it serves (and a partition-owner probe's port to {@code probe}).
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) throws Exception {
    VizConfig config = VizConfig.fromEnv();
    ClusterNode node =
        ClusterNode.start(
                config,
                ClusterConfig.fromEnv(),
                io.vizrelay.common.store.pg.PgConfig.fromEnv(System.getenv()),
                io.vizrelay.common.store.HotConfig.fromEnv(System.getenv()),
                ClusterHarness.ALL)
            .await(3, TimeUnit.MINUTES);
    Files.createDirectories(config.dataDir());
    // test-only probe: does this member own the partition of a task? (GET /owns?task=ID)
    io.vertx.core.http.HttpServer probe =
        node.vertx()
            .createHttpServer()
            .requestHandler(
                req ->
                    req.response()
                        .end(
                            Boolean.toString(
                                node.hazelcast()
                                    .getPartitionService()
                                    .getPartition(req.getParam("task"))
                                    .getOwner()
                                    .localMember())))
            .listen(0, "127.0.0.1")
            .await(30, TimeUnit.SECONDS);
    Files.writeString(config.dataDir().resolve("probe"), Integer.toString(probe.actualPort()));
    Files.writeString(config.dataDir().resolve("port.tmp"), Integer.toString(node.port()));
    Files.move(config.dataDir().resolve("port.tmp"), config.dataDir().resolve("port"));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (!node.stopBlocking()) {
                    Runtime.getRuntime().halt(0);
                  }
                }));
  }
}
