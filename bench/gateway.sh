#!/usr/bin/env bash
# MCP gateway cost (issue 15), one run, loopback only:
#   bash bench/gateway.sh
# Starts a PostgreSQL and the packaged app with the container's JVM flags (Serial GC, -Xmx384m = 75 %
# of the 512 MiB limit) on 127.0.0.1, then GatewayBenchmark (src/test) runs the MCP Java SDK server
# of the gateway tests as the upstream and prints:
#  (a) tools/call through /mcp/v1/connections/{id} vs the same call made directly to that server by
#      the same minimal client (java.net.http, kept-alive), warm: medians, p99s, ratio, p99 added,
#      beside an authenticated GET /v1/connections/{id} (the API floor), and the CPU each call costs
#      the app and PostgreSQL;
#  (b) heap (after a full GC) and RSS per idle gateway session, after opening BENCH_SESSIONS sessions;
#  (c) that all of those sessions, held open at once, still answer tools/call, and the peak RSS;
# then the PostgreSQL bytes per session row. Bounded loops; stops everything it started.
#
# Many agents at once (issue 23):
#   bash bench/gateway.sh --agents 32 --calls 750 [--rounds 3]
# Each agent opens a session of its own and makes --calls tools/call (echo) to server-everything
# (conformance/node_modules, installed with npm when missing; without node, the SDK server of the
# tests), all agents at once: directly, through /mcp/v1/connections/{id}, and through the bare
# forwarding hop, taking turns for --rounds rounds after a warm-up of each. Prints each path's
# median calls/s (and every round's), p50 and p99, the CPU per call of every party (the driver JVM
# with the agents and the bare hop, server-everything, the app, PostgreSQL), the ratios by
# throughput and by CPU per call, and any failed call with its answer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

AGENTS=""; CALLS=150; ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) AGENTS="$2"; shift 2 ;;
    --calls) CALLS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    *) echo "usage: bash bench/gateway.sh [--agents N [--calls C] [--rounds R]]" >&2; exit 2 ;;
  esac
done

# start_everything: server-everything over Streamable HTTP on 127.0.0.1 (conformance/loopback.cjs
# picks the port); sets EVERYTHING_URL (empty when node is missing) and EVERYTHING_PID.
start_everything() {
  EVERYTHING_URL=""; EVERYTHING_PID=0
  command -v node >/dev/null 2>&1 || { echo "bench: no node; the upstream is the SDK server of the tests" >&2; return; }
  local js="$ROOT/conformance/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
  [ -f "$js" ] || (cd "$ROOT/conformance" && npm ci --silent >/dev/null 2>&1) || true
  [ -f "$js" ] || { echo "bench: server-everything could not be installed; the upstream is the SDK server of the tests" >&2; return; }
  LOOPBACK_PORT_FILE="$WORK/everything.port" node --require "$ROOT/conformance/loopback.cjs" "$js" streamableHttp >"$WORK/everything.log" 2>&1 &
  EVERYTHING_PID=$!
  PIDS+=("$EVERYTHING_PID")
  for _ in $(seq 1 300); do
    [ -s "$WORK/everything.port" ] && break
    sleep 0.1
  done
  [ -s "$WORK/everything.port" ] || { echo "server-everything did not start; see $WORK/everything.log" >&2; exit 1; }
  EVERYTHING_URL="http://127.0.0.1:$(cat "$WORK/everything.port")/mcp"
}

need curl curl
build_app
start_postgres
# Fixtures (src/test) create the tenant through the admin API with the tests' admin token; the
# upstream runs on http://127.0.0.1, which the outbound policy refuses by default.
export BENCH_ADMIN_TOKEN=test-admin-token PLUGBOARD_OUTBOUND_ALLOW_HTTP=true PLUGBOARD_OUTBOUND_ALLOW_PRIVATE_NETWORKS=true
# BENCH_APP_ARGS: more JVM options for the app, e.g. a flight recording
read -ra app_args <<<"${BENCH_APP_ARGS:-}"
start_app -XX:+UseSerialGC -Xmx384m "${app_args[@]}"
rss_start=$(rss_kb "$APP_PID")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

if [ -n "$AGENTS" ]; then
  start_everything
  (cd "$ROOT" && ./mvnw -B -ntp -q test -Dtest='GatewayBenchmark#manyAgentsAtOnce' -Dsurefire.failIfNoSpecifiedTests=false -Dplugboard.bench=true \
    -Dbench.api="http://127.0.0.1:$APP_PORT" -Dbench.pid="$APP_PID" -Dbench.pg-pid="$(head -1 "$PGDATA_DIR/postmaster.pid")" -Dbench.jdbc="jdbc:postgresql://127.0.0.1:$PG_PORT/plugboard" \
    -Dbench.agents="$AGENTS" -Dbench.calls="$CALLS" -Dbench.rounds="$ROUNDS" -Dbench.upstream="$EVERYTHING_URL" -Dbench.upstream-pid="$EVERYTHING_PID") \
    | tee "$WORK/driver.log" | grep '^bench:' || { echo "GatewayBenchmark failed; see $WORK/driver.log" >&2; tail -40 "$WORK/driver.log" >&2; exit 1; }
  echo "bench: load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
  exit 0
fi

(cd "$ROOT" && ./mvnw -B -ntp -q test -Dtest='GatewayBenchmark#gatewayVersusDirect' -Dsurefire.failIfNoSpecifiedTests=false -Dplugboard.bench=true \
  -Dbench.api="http://127.0.0.1:$APP_PORT" -Dbench.pid="$APP_PID" -Dbench.pg-pid="$(head -1 "$PGDATA_DIR/postmaster.pid")" -Dbench.jdbc="jdbc:postgresql://127.0.0.1:$PG_PORT/plugboard" \
  -Dbench.warmup="${BENCH_WARMUP:-5000}" -Dbench.runs="${BENCH_RUNS:-5000}" -Dbench.sessions="${BENCH_SESSIONS:-1000}") \
  | tee "$WORK/driver.log" | grep '^bench:' || { echo "GatewayBenchmark failed; see $WORK/driver.log" >&2; tail -40 "$WORK/driver.log" >&2; exit 1; }

read -r rows total row_avg < <(psql -At -F' ' -d plugboard -c \
  "select count(*), pg_total_relation_size('gateway_sessions'), coalesce(avg(pg_column_size(g.*)), 0)::int from gateway_sessions g")
cat <<REPORT
bench: PostgreSQL: $rows session rows, $(awk -v t="$total" -v n="$rows" 'BEGIN { printf "%.0f", t / n }') bytes each with indexes and page overhead (table + indexes $((total / 1024)) KiB), $row_avg bytes of row data
bench: app RSS at start $((rss_start / 1024)) MiB, at the end $(( $(rss_kb "$APP_PID") / 1024 )) MiB; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)
REPORT
