#!/usr/bin/env bash
# A local vizrelay cluster on 127.0.0.1 (docs/CLUSTER.md):
#   scripts/cluster.sh up [N] [--pg]
#                                 N replicas of ingest and socket (default 2), VIZRELAY_TASKINFO_REPLICAS
#                                 of taskinfo (default N; they share the registry in the grid) + a front proxy;
#                                 --pg: a throwaway local PostgreSQL (Debian's binaries, data under the
#                                 state dir, port VIZRELAY_PG_LOCAL_PORT or 55432) behind the grid
#                                 (every node gets VIZRELAY_PG_URL); `down` stops and deletes it
#   scripts/cluster.sh status     which processes run, /health and /readiness of each
#   scripts/cluster.sh kill NAME  kill -9 one replica (e.g. socket-2), to watch the others take over
#   scripts/cluster.sh down       SIGTERM everything (bounded clean stop), SIGKILL what is left
# Every replica is configured with the same environment variables the Kubernetes manifests use.
# Every VIZRELAY_* variable of this script's environment reaches every node (e.g.
# VIZRELAY_PG_COMMIT=async scripts/cluster.sh up 2 --pg), except the per-node ones set here
# (cluster name and members, ports, host, data dir).
# Build the jars first: ./mvnw -q -B -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${VIZRELAY_CLUSTER_DIR:-.cluster}
PROXY_PORT=${VIZRELAY_PROXY_PORT:-8186}
HZ_BASE=${VIZRELAY_HZ_BASE_PORT:-5701}
HTTP_BASE=${VIZRELAY_HTTP_BASE_PORT:-8200}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx384m}
HZ_OPENS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
SERVICES=(ingest socket taskinfo)

jar_of() { echo "$1-service/target/vizrelay-$1.jar"; }
PROXY_JAR=dev-proxy/target/vizrelay-dev-proxy.jar

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_http() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.5
  done
}

PG_PORT=${VIZRELAY_PG_LOCAL_PORT:-55432}

# runs a PostgreSQL server command, as the postgres user when root (PostgreSQL refuses root)
pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$d"
}

pg_up() { # a throwaway server under $STATE/pg; exports VIZRELAY_PG_URL for the nodes
  local bin dir
  bin=$(pg_bin)
  dir=$(cd "$STATE" && pwd)/pg   # absolute: the server runs as another user
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  pg_run "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C > "$STATE/pg.log" 2>&1
  pg_run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir" start >> "$STATE/pg.log" 2>&1 \
      || { echo "PostgreSQL did not start; see $STATE/pg.log and $dir/server.log" >&2; exit 1; }
  pg_run "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres vizrelay >> "$STATE/pg.log" 2>&1
  echo "$bin" > "$STATE/pg.bin"
  export VIZRELAY_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/vizrelay"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT ($VIZRELAY_PG_URL)"
}

pg_down() {
  [ -f "$STATE/pg.bin" ] || return 0
  pg_run "$(cat "$STATE/pg.bin")/pg_ctl" -D "$STATE/pg/data" -w -t 60 -m fast stop > /dev/null 2>&1 || true
  rm -rf "$STATE/pg" "$STATE/pg.bin"
  echo "PostgreSQL stopped and deleted"
}

up() {
  local n=${1:-2} pg=${2:-}
  for s in "${SERVICES[@]}"; do
    [ -f "$(jar_of "$s")" ] || { echo "missing $(jar_of "$s"); run: ./mvnw -q -B -DskipTests package" >&2; exit 1; }
  done
  [ -f "$PROXY_JAR" ] || { echo "missing $PROXY_JAR; run: ./mvnw -q -B -DskipTests package" >&2; exit 1; }
  if ls "$STATE"/*.pid >/dev/null 2>&1; then
    for p in "$STATE"/*.pid; do alive "$p" && { echo "a cluster is already running ($STATE); run: $0 down" >&2; exit 1; }; done
  fi
  rm -rf "$STATE"; mkdir -p "$STATE"
  [ "$pg" = --pg ] && pg_up
  local name="vizrelay-${USER:-dev}-$(date +%s)"   # unique per run: a stale JVM cannot join it
  echo "$name" > "$STATE/cluster-name"
  local ti=${VIZRELAY_TASKINFO_REPLICAS:-$n}
  local total=$((2 * n + ti)) members="" i
  for ((i = 0; i < total; i++)); do members+="${members:+,}127.0.0.1:$((HZ_BASE + i))"; done
  local idx=0 ingest="" socket="" taskinfo=""
  for s in "${SERVICES[@]}"; do
    local count=$n
    [ "$s" = taskinfo ] && count=$ti
    for ((r = 1; r <= count; r++)); do
      local id="$s-$r" http=$((HTTP_BASE + idx)) hz=$((HZ_BASE + idx))
      mkdir -p "$STATE/$id"
      env VIZRELAY_CLUSTER_NAME="$name" VIZRELAY_CLUSTER_JOIN=tcp VIZRELAY_CLUSTER_MEMBERS="$members" \
          VIZRELAY_HZ_PORT="$hz" VIZRELAY_HZ_INTERFACE=127.0.0.1 \
          VIZRELAY_EVENTBUS_HOST=127.0.0.1 VIZRELAY_EVENTBUS_PORT=0 \
          VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS="${VIZRELAY_HZ_MAX_NO_HEARTBEAT_SECONDS:-10}" \
          VIZRELAY_HZ_HEARTBEAT_INTERVAL_SECONDS="${VIZRELAY_HZ_HEARTBEAT_INTERVAL_SECONDS:-2}" \
          VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS="${VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS:-20}" \
          VIZRELAY_HOST=127.0.0.1 VIZRELAY_PORT="$http" VIZRELAY_DATA_DIR="$STATE/$id/data" \
          nohup "$JAVA" $JAVA_OPTS $HZ_OPENS -jar "$(jar_of "$s")" > "$STATE/$id/log" 2>&1 &
      echo $! > "$STATE/$id.pid"
      echo "$http" > "$STATE/$id.port"
      case $s in
        ingest) ingest+="${ingest:+,}127.0.0.1:$http" ;;
        socket) socket+="${socket:+,}127.0.0.1:$http" ;;
        taskinfo) taskinfo+="${taskinfo:+,}127.0.0.1:$http" ;;
      esac
      idx=$((idx + 1))
    done
  done
  for p in "$STATE"/*.port; do
    local id; id=$(basename "$p" .port)
    if wait_http "http://127.0.0.1:$(cat "$p")/health" 180; then
      echo "$id up on http://127.0.0.1:$(cat "$p")"
    else
      echo "$id did not come up; see $STATE/$id/log" >&2; exit 1
    fi
  done
  VIZRELAY_PROXY_PORT="$PROXY_PORT" VIZRELAY_PROXY_INGEST="$ingest" VIZRELAY_PROXY_SOCKET="$socket" \
      VIZRELAY_PROXY_TASKINFO="$taskinfo" \
      nohup "$JAVA" -Xmx256m -jar "$PROXY_JAR" > "$STATE/proxy.log" 2>&1 &
  echo $! > "$STATE/proxy.pid"
  wait_http "http://127.0.0.1:$PROXY_PORT/health" 60 || { echo "proxy did not come up; see $STATE/proxy.log" >&2; exit 1; }
  echo "cluster $name: $n x ingest, $n x socket, $ti x taskinfo; front proxy on http://127.0.0.1:$PROXY_PORT"
}

status() {
  [ -d "$STATE" ] || { echo "no cluster ($STATE)"; return 0; }
  echo "cluster $(cat "$STATE/cluster-name" 2>/dev/null)"
  [ -f "$STATE/pg.bin" ] && echo "PostgreSQL on 127.0.0.1:$PG_PORT: $(pg_run "$(cat "$STATE/pg.bin")/pg_ctl" -D "$STATE/pg/data" status > /dev/null 2>&1 && echo running || echo DOWN)"
  for p in "$STATE"/*.pid; do
    [ -e "$p" ] || continue
    local id; id=$(basename "$p" .pid)
    local port; port=$(cat "$STATE/$id.port" 2>/dev/null || echo "$PROXY_PORT")
    if alive "$p"; then
      local h r
      h=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health" || true)
      r=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readiness" || true)
      printf '%-12s pid %-8s port %-6s health %s readiness %s\n' "$id" "$(cat "$p")" "$port" "$h" "$r"
    else
      printf '%-12s DOWN\n' "$id"
    fi
  done
}

kill_one() {
  local p="$STATE/$1.pid"
  alive "$p" || { echo "$1 is not running" >&2; exit 1; }
  kill -9 "$(cat "$p")" && echo "killed -9 $1"
}

down() {
  [ -d "$STATE" ] || return 0
  local pids=()
  for p in "$STATE"/*.pid; do
    [ -e "$p" ] || continue
    alive "$p" && { kill -TERM "$(cat "$p")" 2>/dev/null || true; pids+=("$(cat "$p")"); }
  done
  local deadline=$((SECONDS + ${VIZRELAY_DRAIN_DELAY_SECONDS:-0} + ${VIZRELAY_SHUTDOWN_TIMEOUT_SECONDS:-20} + 5))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
  rm -f "$STATE"/*.pid
  echo "cluster stopped"
  pg_down
}

case "${1:-}" in
  up)
    if [ "${2:-}" = --pg ]; then up 2 --pg; else up "${2:-2}" "${3:-}"; fi ;;
  status) status ;;
  kill) kill_one "${2:?replica name, e.g. socket-2}" ;;
  down) down ;;
  *) echo "usage: $0 up [N] [--pg] | status | kill NAME | down" >&2; exit 2 ;;
esac
