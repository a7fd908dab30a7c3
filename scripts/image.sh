#!/usr/bin/env bash
# The service image, built and run without a container daemon (docs/DEPLOY.md "The image"):
#   scripts/image.sh base    local base image from Debian packages (debootstrap minbase +
#                            openjdk-17-jre-headless), for machines that reach no image registry;
#                            kept in buildah's storage, made once (FORCE=1 remakes it)
#   scripts/image.sh build   localhost/vizrelay:dev with `buildah bud --isolation chroot`, from the
#                            jars ./mvnw package built (built here when missing); the bases are
#                            BUILD_IMAGE / RUNTIME_IMAGE, by default the local base when it exists,
#                            else the Dockerfile's (public Temurin images)
#   scripts/image.sh smoke   runs each service's entrypoint from the image's own root filesystem
#                            (chroot of the mounted image, as the image's user) as a one-member
#                            cluster on 127.0.0.1, checks /health, /readiness and /metrics, sends
#                            SIGTERM and checks the clean exit; prints the JVM's native memory
#   scripts/image.sh all     base, build and smoke
# Needs root, buildah and debootstrap (Debian: apt-get install buildah debootstrap).
# Container runtimes cannot set rlimits in some sandboxes, so smoke uses chroot, not `buildah run`.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/vizrelay:dev}
BASE_IMAGE=${BASE_IMAGE:-localhost/vizrelay-base:bookworm-jre17}
SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SERVICES=(ingest socket taskinfo)
WORK=${IMAGE_WORK_DIR:-target/image}

log() { echo "image.sh: $*" >&2; }
die() { log "$*"; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing (Debian: apt-get install $2)"; }

has_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }

base() {
  need buildah buildah
  need debootstrap debootstrap
  if has_image "$BASE_IMAGE" && [ -z "${FORCE:-}" ]; then
    log "base $BASE_IMAGE exists (FORCE=1 remakes it)"
    return
  fi
  local t0=$SECONDS root
  mkdir -p "$WORK"
  root=$(mktemp -d "$PWD/$WORK/rootfs.XXXXXX")
  # debs are kept between runs: a remake downloads nothing
  mkdir -p /var/cache/vizrelay-debootstrap
  debootstrap --variant=minbase --include=openjdk-17-jre-headless --cache-dir=/var/cache/vizrelay-debootstrap \
    "$SUITE" "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/locale/*
  local ctr
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$root" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 --env LANG=C.UTF-8 \
    --label org.opencontainers.image.description="Debian $SUITE minbase + openjdk-17-jre-headless" "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  log "base $BASE_IMAGE made in $((SECONDS - t0)) s"
}

build() {
  need buildah buildah
  local t0=$SECONDS jars_missing=
  for s in "${SERVICES[@]}"; do
    [ -f "$s-service/target/vizrelay-$s.jar" ] && [ -f "$s-service/target/sbom.json" ] || jars_missing=1
  done
  if [ -n "$jars_missing" ]; then
    log "building the service jars"
    ./mvnw -q -B -DskipTests -pl ingest-service,socket-service,taskinfo-service -am package
  fi
  local args=(--build-arg PREBUILT=true)
  local runtime=${RUNTIME_IMAGE:-}
  if [ -z "$runtime" ] && has_image "$BASE_IMAGE"; then
    runtime=$BASE_IMAGE
  fi
  if [ -n "$runtime" ]; then
    # with prebuilt jars the build stage only checks they are there: any image with a shell will do
    args+=(--build-arg RUNTIME_IMAGE="$runtime" --build-arg BUILD_IMAGE="${BUILD_IMAGE:-$runtime}")
  elif [ -n "${BUILD_IMAGE:-}" ]; then
    args+=(--build-arg BUILD_IMAGE="$BUILD_IMAGE")
  fi
  buildah bud --isolation chroot --pull-never "${args[@]}" -t "$IMAGE" . >"$WORK.build.log" 2>&1 \
    || { tail -30 "$WORK.build.log" >&2; die "buildah bud failed (log: $WORK.build.log)"; }
  log "built $IMAGE in $((SECONDS - t0)) s ($(buildah inspect --format '{{.FromImage}}' "$IMAGE" 2>/dev/null || true))"
}

# A TCP port below the ephemeral range that nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port"
}

# GET url → status code (000 when nothing answers); the body goes to $2 when given.
http_get() {
  local out=${2:-/dev/null}
  curl -sS -o "$out" -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

smoke() {
  need buildah buildah
  need curl curl
  has_image "$IMAGE" || die "no image $IMAGE: run scripts/image.sh build"
  mkdir -p "$WORK"
  local ctr mnt entry user t0=$SECONDS failed=
  ctr=$(buildah from --pull-never "$IMAGE")
  mnt=$(buildah mount "$ctr")
  # shellcheck disable=SC2064
  trap "smoke_cleanup '$ctr' '$mnt'" EXIT
  entry=$(buildah inspect --format '{{index .OCIv1.Config.Entrypoint 2}}' "$IMAGE")
  user=$(buildah inspect --format '{{.OCIv1.Config.User}}' "$IMAGE")
  [ "$user" = "10001:10001" ] || die "the image's user is '$user', not 10001:10001"
  mount -t proc proc "$mnt/proc"
  mount --rbind /dev "$mnt/dev"
  mkdir -p "$mnt/tmp/smoke-data" && chown 10001:10001 "$mnt/tmp/smoke-data"
  local image_env=()
  while IFS= read -r kv; do
    [ -n "$kv" ] && image_env+=("$kv")
  done < <(buildah inspect --format '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' "$IMAGE")
  for s in "${SERVICES[@]}"; do
    smoke_one "$s" "$mnt" "$entry" "${image_env[@]}" || failed=1
  done
  [ -z "$failed" ] || die "smoke failed"
  log "smoke passed for ${SERVICES[*]} in $((SECONDS - t0)) s"
}

smoke_cleanup() {
  local ctr=$1 mnt=$2
  umount -l "$mnt/dev" 2>/dev/null || true
  umount "$mnt/proc" 2>/dev/null || true
  buildah umount "$ctr" >/dev/null 2>&1 || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
}

# One service: start, probe, SIGTERM, clean exit.
smoke_one() {
  local s=$1 mnt=$2 entry=$3
  shift 3
  local http hz bus logf="$WORK/smoke-$s.log" pid code=0
  http=$(free_port); hz=$(free_port); bus=$(free_port)
  # The image's environment, then a one-member cluster on loopback; the JVM prints its native
  # memory on exit (docs/DEPLOY.md "Memory under the limit").
  env -i "$@" \
    VIZRELAY_HOST=127.0.0.1 VIZRELAY_PORT="$http" \
    VIZRELAY_CLUSTER_NAME="smoke-$s-$RANDOM" VIZRELAY_CLUSTER_JOIN=tcp VIZRELAY_CLUSTER_MEMBERS="127.0.0.1:$hz" \
    VIZRELAY_HZ_PORT="$hz" VIZRELAY_HZ_INTERFACE=127.0.0.1 VIZRELAY_EVENTBUS_HOST=127.0.0.1 VIZRELAY_EVENTBUS_PORT="$bus" \
    VIZRELAY_HZ_PARTITION_GROUP=node VIZRELAY_HZ_NODE_NAME=smoke VIZRELAY_HZ_MIN_CLUSTER_SIZE=1 \
    VIZRELAY_DATA_DIR=/tmp/smoke-data VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS=20 \
    JAVA_TOOL_OPTIONS="-XX:NativeMemoryTracking=summary -XX:+UnlockDiagnosticVMOptions -XX:+PrintNMTStatistics" \
    chroot --userspec=10001:10001 "$mnt" /bin/sh -c "$entry" "$s" >"$logf" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 180)) health=000
  while [ "$health" != 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -40 "$logf" >&2
      log "$s exited before serving"
      return 1
    fi
    [ $SECONDS -lt $deadline ] || { tail -40 "$logf" >&2; kill -KILL "$pid"; log "$s: no /health in 180 s"; return 1; }
    sleep 0.5
    health=$(http_get "http://127.0.0.1:$http/health")
  done
  local ready metrics
  ready=$(http_get "http://127.0.0.1:$http/readiness" "$WORK/smoke-$s.readiness")
  metrics=$(http_get "http://127.0.0.1:$http/metrics" "$WORK/smoke-$s.metrics")
  local ok=1
  [ "$ready" = 200 ] || { log "$s: /readiness $ready: $(cat "$WORK/smoke-$s.readiness")"; ok=; }
  [ "$metrics" = 200 ] && grep -q '^vizrelay_cluster_members' "$WORK/smoke-$s.metrics" \
    || { log "$s: /metrics $metrics without vizrelay_cluster_members"; ok=; }
  local t_term=$SECONDS
  kill -TERM "$pid"
  local stop_deadline=$((SECONDS + 40))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $stop_deadline ] || { kill -KILL "$pid"; log "$s: still running 40 s after SIGTERM"; return 1; }
    sleep 0.2
  done
  wait "$pid" || code=$?
  # 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran on SIGTERM
  if [ "$code" != 0 ] && [ "$code" != 143 ]; then
    tail -40 "$logf" >&2; log "$s: exit status $code after SIGTERM"; ok=
  fi
  grep -q 'drain: left the cluster' "$logf" || { tail -40 "$logf" >&2; log "$s: no clean leave in the log"; ok=; }
  [ -n "$ok" ] || return 1
  local nmt
  nmt=$(awk '/^Total: reserved=/ { sub(/.*committed=/, ""); sub(/[, ].*/, ""); printf "total=%dMiB ", $0 / 1048576 }
    /^- +(Java Heap|Class|Thread|Code|GC|Metaspace|Other) \(reserved=/ { name = $2 $3; line = $0
      sub(/.*committed=/, "", line); sub(/[,)].*/, "", line); sub(/\(reserved=.*/, "", name)
      printf "%s=%dMiB ", name, line / 1048576 }
    /\(thread #[0-9]+\)/ { gsub(/[^0-9]/, ""); printf "threads=%s ", $0 }' "$logf")
  log "$s: /health 200, /readiness 200, /metrics 200, SIGTERM -> exit $code in $((SECONDS - t_term)) s; NMT: $nmt"
}

case "${1:-}" in
  base) base ;;
  build) build ;;
  smoke) smoke ;;
  all) base; build; smoke ;;
  *) echo "usage: scripts/image.sh base|build|smoke|all" >&2; exit 64 ;;
esac
