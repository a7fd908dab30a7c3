# syntax=docker/dockerfile:1
# vizrelay service image: one image, three services (the argument picks the jar):
#   scripts/image.sh build                       # buildah, no daemon (docs/DEPLOY.md "The image")
#   docker build -t vizrelay:dev .               # the same file with Docker
#   docker run --rm vizrelay:dev ingest          # or socket, taskinfo (front: dev's port-forward proxy)
# The base images are build arguments: the public Temurin images by default, or local bases made
# from Debian packages by `scripts/image.sh base` where no image registry is reachable.
ARG BUILD_IMAGE=eclipse-temurin:17-jdk-jammy
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-jammy

# ---- build: the Maven wrapper's Maven on a JDK 17 -------------------------------------------
FROM ${BUILD_IMAGE} AS build
# PREBUILT=true takes the three service jars from the context (built by ./mvnw package on the
# host, as CI does) instead of compiling them here.
ARG PREBUILT=false
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY common common
COPY ingest-service ingest-service
COPY socket-service socket-service
COPY taskinfo-service taskinfo-service
COPY app app
COPY bench bench
# The dependency cache survives between builds (BuildKit / buildah); tests run in CI, not here.
RUN --mount=type=cache,target=/root/.m2 \
    if [ "$PREBUILT" = true ]; then \
      ls -l ingest-service/target/vizrelay-ingest.jar socket-service/target/vizrelay-socket.jar \
        taskinfo-service/target/vizrelay-taskinfo.jar */target/sbom.json; \
    else \
      ./mvnw -B -q -DskipTests -pl ingest-service,socket-service,taskinfo-service -am package; \
    fi

# ---- runtime: a JRE, non-root, read-only friendly -------------------------------------------
FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 vizrelay \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin vizrelay
WORKDIR /app
COPY --from=build /src/ingest-service/target/vizrelay-ingest.jar /app/vizrelay-ingest.jar
COPY --from=build /src/socket-service/target/vizrelay-socket.jar /app/vizrelay-socket.jar
COPY --from=build /src/taskinfo-service/target/vizrelay-taskinfo.jar /app/vizrelay-taskinfo.jar
# CycloneDX SBOMs of the three jars (made by the Maven build's package phase)
COPY --from=build /src/ingest-service/target/sbom.json /app/sbom/vizrelay-ingest.cdx.json
COPY --from=build /src/socket-service/target/sbom.json /app/sbom/vizrelay-socket.cdx.json
COPY --from=build /src/taskinfo-service/target/sbom.json /app/sbom/vizrelay-taskinfo.cdx.json
# Memory under the container limit (docs/DEPLOY.md "Memory under the limit"; the manifests'
# limit is 1 GiB, KubernetesManifestsTest checks the sum): heap 40% of the limit, direct buffers
# (Netty) 128 MiB, metaspace 128 MiB, JIT code 80 MiB; thread stacks and the JVM's own native
# memory fit in the rest with a margin. Exit on OOM so Kubernetes restarts the pod.
# MALLOC_ARENA_MAX bounds glibc's per-thread malloc arenas. G1's periodic collection (after 10 s
# without one) and the free-ratio bounds give back to the OS the heap a burst grew (a storm of
# browser connections): 10,000 idle sockets then hold ~350 MB RSS instead of ~410 (BENCHMARKS.md).
# Override with JAVA_OPTS. The --add-* flags are the ones Hazelcast wants on JDK 17+
# (docs/CLUSTER.md).
ENV JAVA_OPTS="-XX:MaxRAMPercentage=40 -XX:MaxDirectMemorySize=128m -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=80m -Xss1m -XX:+ExitOnOutOfMemoryError -XX:G1PeriodicGCInterval=10000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30" \
    MALLOC_ARENA_MAX=2 \
    JAVA_HAZELCAST_OPTS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
USER 10001:10001
EXPOSE 8186 5701 17001
# `exec` replaces the shell, so the JVM is PID 1 and gets SIGTERM: its shutdown hook undeploys,
# leaves the cluster within VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS, then halts. `front` is the dev
# overlay's front proxy (in the socket jar).
ENTRYPOINT ["/bin/sh", "-c", "case \"$0\" in ingest|socket|taskinfo) exec java $JAVA_OPTS $JAVA_HAZELCAST_OPTS -jar \"/app/vizrelay-$0.jar\" \"$@\";; front) exec java $JAVA_OPTS -cp /app/vizrelay-socket.jar io.vizrelay.common.cluster.FrontProxy;; *) echo \"usage: ingest|socket|taskinfo|front (got '$0')\" >&2; exit 64;; esac"]
CMD ["ingest"]
