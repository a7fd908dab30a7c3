# syntax=docker/dockerfile:1
# vizrelay service image: one image, three services (the argument picks the jar):
#   docker build -t vizrelay:dev .
#   docker run --rm vizrelay:dev ingest      # or socket, taskinfo
# docs/DEPLOY.md has the details; the k8s manifests name the image through kustomize images:.

# ---- build: the Maven wrapper's Maven on a JDK 17 -------------------------------------------
FROM eclipse-temurin:17-jdk-jammy AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY common common
COPY ingest-service ingest-service
COPY socket-service socket-service
COPY taskinfo-service taskinfo-service
COPY app app
COPY bench bench
# The dependency cache survives between builds (BuildKit); tests run in CI, not here.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests -pl ingest-service,socket-service,taskinfo-service -am package

# ---- runtime: a JRE, non-root, read-only friendly -------------------------------------------
FROM eclipse-temurin:17-jre-jammy
RUN groupadd --system --gid 10001 vizrelay \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin vizrelay
WORKDIR /app
COPY --from=build /src/ingest-service/target/vizrelay-ingest.jar /app/vizrelay-ingest.jar
COPY --from=build /src/socket-service/target/vizrelay-socket.jar /app/vizrelay-socket.jar
COPY --from=build /src/taskinfo-service/target/vizrelay-taskinfo.jar /app/vizrelay-taskinfo.jar
# Heap from the container's memory limit; exit on OOM so Kubernetes restarts the pod. Override
# with JAVA_OPTS. The --add-* flags are the ones Hazelcast wants on JDK 17+ (docs/CLUSTER.md).
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    JAVA_HAZELCAST_OPTS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
USER 10001:10001
EXPOSE 8186 5701 17001
# `exec` replaces the shell, so the JVM is PID 1 and gets SIGTERM: its shutdown hook undeploys,
# leaves the cluster within VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS, then halts.
ENTRYPOINT ["/bin/sh", "-c", "case \"$0\" in ingest|socket|taskinfo) ;; *) echo \"usage: ingest|socket|taskinfo (got '$0')\" >&2; exit 64;; esac; exec java $JAVA_OPTS $JAVA_HAZELCAST_OPTS -jar \"/app/vizrelay-$0.jar\" \"$@\""]
CMD ["ingest"]
