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
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

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

(cd "$ROOT" && ./mvnw -B -ntp -q test -Dtest=GatewayBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dplugboard.bench=true \
  -Dbench.api="http://127.0.0.1:$APP_PORT" -Dbench.pid="$APP_PID" -Dbench.pg-pid="$(head -1 "$PGDATA_DIR/postmaster.pid")" \
  -Dbench.warmup="${BENCH_WARMUP:-5000}" -Dbench.runs="${BENCH_RUNS:-5000}" -Dbench.sessions="${BENCH_SESSIONS:-1000}") \
  | tee "$WORK/driver.log" | grep '^bench:' || { echo "GatewayBenchmark failed; see $WORK/driver.log" >&2; tail -40 "$WORK/driver.log" >&2; exit 1; }

read -r rows total row_avg < <(psql -At -F' ' -d plugboard -c \
  "select count(*), pg_total_relation_size('gateway_sessions'), coalesce(avg(pg_column_size(g.*)), 0)::int from gateway_sessions g")
cat <<REPORT
bench: PostgreSQL: $rows session rows, $(awk -v t="$total" -v n="$rows" 'BEGIN { printf "%.0f", t / n }') bytes each with indexes and page overhead (table + indexes $((total / 1024)) KiB), $row_avg bytes of row data
bench: app RSS at start $((rss_start / 1024)) MiB, at the end $(( $(rss_kb "$APP_PID") / 1024 )) MiB; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)
REPORT
