#!/usr/bin/env bash
# API throughput against PostgreSQL's own ceiling (DESIGN §11, issue #8). One command:
#   bash bench/api.sh
# Starts a PostgreSQL 15+ and the packaged app on 127.0.0.1, seeds 1,000 teams x 100 connections,
# then prints, from one run: GET by id and list-of-100 req/s + p50/p99 beside pgbench running the
# equivalent SELECTs with the same client count (ratios), the CPU each by-id request costs in the app
# and in PostgreSQL, p99 at about half the by-id throughput, the resolve (decrypt) path, RSS
# before/after, and the floor: a minimal Quarkus app on the same stack answering from one Hibernate
# query (bench/minimal-app/stack). Bounded durations; stops everything it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
DURATION="${BENCH_DURATION:-15}"
CLIENTS="${BENCH_CLIENTS:-16}"
THREADS="${BENCH_THREADS:-2}"
WARMUP="${BENCH_WARMUP:-15}"

need wrk wrk
need curl curl
build_app
start_postgres
# The JVM as the container runs it (src/main/docker/Dockerfile.jvm): Serial GC, 75 % of the
# 512 MiB memory limit the Kubernetes manifests set.
JVM_FLAGS=(-XX:+UseSerialGC -Xmx384m)
start_app "${JVM_FLAGS[@]}"
psql -q -d plugboard -f "$BENCH_DIR/seed.sql" >/dev/null
API="http://127.0.0.1:$APP_PORT"

write_pairs_lua "$WORK/pairs.lua"
mk() { sed "1i PATH_FORMAT = \"$1\"\nMETHOD = \"GET\"" "$WORK/pairs.lua" >"$WORK/$2.lua"; }
mk "/v1/connections/%s" byid
mk "/v1/connections?limit=100&_=%s" list
# The same requests with a think time per connection (ms), for latency at a given rate.
paced() { { echo "THINK_MS = $2"; cat "$WORK/$1.lua"; echo 'delay = function() return THINK_MS end'; } >"$WORK/$1-paced.lua"; }

run_wrk() { # run_wrk <lua> -> prints "rps p50_ms p99_ms"
  wrk -t"$THREADS" -c"$CLIENTS" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/$1.lua" "$API" >"$WORK/$1.wrk"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps, p50, p99}' "$WORK/$1.wrk"
}
run_pgbench() { # run_pgbench <sql file> -> prints tps
  pgbench -n -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -f "$1" plugboard 2>/dev/null | awk '/^tps/ {print $3; exit}'
}

cat >"$WORK/byid.sql" <<'SQL'
\set t random(1, 1000)
\set c random(1, 100)
SELECT c.* FROM connections c
WHERE c.id = md5('conn' || :t || '-' || :c)::uuid AND c.team_id = md5('team' || :t)::uuid
  AND ((NOT c.shared AND c.user_id = md5('user' || :t)::uuid) OR (c.shared AND (true OR c.created_by = md5('user' || :t)::uuid)));
SQL
cat >"$WORK/list.sql" <<'SQL'
\set t random(1, 1000)
SELECT count(*) FROM connections c WHERE c.team_id = md5('team' || :t)::uuid
  AND ((NOT c.shared AND c.user_id = md5('user' || :t)::uuid) OR (c.shared AND (true OR c.created_by = md5('user' || :t)::uuid)));
SELECT c.* FROM connections c WHERE c.team_id = md5('team' || :t)::uuid
  AND ((NOT c.shared AND c.user_id = md5('user' || :t)::uuid) OR (c.shared AND (true OR c.created_by = md5('user' || :t)::uuid)))
  ORDER BY c.created_at DESC, c.id DESC LIMIT 100;
SQL

# CPU ticks (1/100 s) spent so far by a process, or by every process of the PostgreSQL cluster.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
  local pm s=0 p; pm=$(head -1 "$PGDATA_DIR/postmaster.pid")
  for p in "$pm" $(pgrep -P "$pm"); do s=$((s + $(ticks "$p" 2>/dev/null || echo 0))); done; echo "$s"
}

# warm up (JIT, pools, caches), then RSS before the measured load
wrk -t"$THREADS" -c"$CLIENTS" -d"${WARMUP}s" -s "$WORK/byid.lua" "$API" >/dev/null
wrk -t"$THREADS" -c"$CLIENTS" -d5s -s "$WORK/list.lua" "$API" >/dev/null
rss_before=$(rss_kb "$APP_PID")

app0=$(ticks "$APP_PID"); pg0=$(pg_ticks)
read -r byid_rps byid_p50 byid_p99 < <(run_wrk byid)
app1=$(ticks "$APP_PID"); pg1=$(pg_ticks)
byid_requests=$(awk '/requests in/ {print $1}' "$WORK/byid.wrk")
cpu_ms() { awk -v t="$1" -v n="$byid_requests" 'BEGIN { printf "%.2f", t * 10 / n }'; }
app_cpu=$(cpu_ms $((app1 - app0))); pg_cpu=$(cpu_ms $((pg1 - pg0)))
read -r list_rps list_p50 list_p99 < <(run_wrk list)
# RSS across 10k more by-id requests (the issue's measure), at full rate.
rss_10k_before=$(rss_kb "$APP_PID")
wrk -t"$THREADS" -c"$CLIENTS" -d"$(awk -v r="$byid_rps" 'BEGIN { printf "%d", 10000 / r + 1.5 }')s" -s "$WORK/byid.lua" "$API" >"$WORK/rss10k.wrk"
rss_10k_after=$(rss_kb "$APP_PID")
# Half the measured by-id rate: each connection thinks for clients / (rate / 2) seconds.
paced byid "$(awk -v c="$CLIENTS" -v r="$byid_rps" 'BEGIN { printf "%d", c * 2000 / r }')"
read -r half_rps half_p50 half_p99 < <(run_wrk byid-paced)
pg_byid=$(run_pgbench "$WORK/byid.sql")
pg_list=$(run_pgbench "$WORK/list.sql")

# resolve (decrypt path): 50 connections with two secret headers each, created through the API
KEY=pb_bench_key_0000000001
ids=()
for i in $(seq 1 50); do
  ids+=("$(curl -sf "$API/v1/connections" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"r$i\",\"server_url\":\"https://r$i.bench.test/mcp\",\"provider\":\"user\",\"auth_method\":\"headers\",\"headers\":{\"secret\":{\"Authorization\":\"Bearer s$i\",\"X-Api-Key\":\"k$i\"}}}" \
    | sed -E 's/.*"id":"([^"]+)".*/\1/')")
done
{
  printf 'local ids = {'; printf '"%s",' "${ids[@]}"; echo '}'
  cat <<'LUA'
request = function()
  return wrk.format("POST", "/internal/v1/connections/" .. ids[math.random(#ids)] .. "/resolve", {["Authorization"] = "Bearer bench-internal"})
end
LUA
} >"$WORK/resolve.lua"
read -r resolve_rps resolve_p50 resolve_p99 < <(run_wrk resolve)
requests=$(awk '/requests in/ {s += $1} END {print s}' "$WORK"/byid.wrk "$WORK"/rss10k.wrk "$WORK"/list.wrk "$WORK"/byid-paced.wrk "$WORK"/resolve.wrk)
rss_after=$(rss_kb "$APP_PID")
stop_app

# The floor: the minimal app on the same extension stack, GET /items = one Hibernate query.
STACK="$ROOT/bench/minimal-app/stack"
if [ ! -f "$STACK/target/quarkus-app/quarkus-run.jar" ] || [ "${BENCH_REBUILD:-0}" = 1 ]; then
  (cd "$STACK" && JAVA_HOME="$(java_home)" "$ROOT/mvnw" -q -B package -DskipTests) >&2
fi
psql -q -d postgres -c "create database stack" >/dev/null
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/stack" QUARKUS_DATASOURCE_USERNAME=postgres \
QUARKUS_DATASOURCE_PASSWORD=unused QUARKUS_HTTP_PORT=$APP_PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_LOG_LEVEL=WARN \
  "$(java_home)/bin/java" "${JVM_FLAGS[@]}" -jar "$STACK/target/quarkus-app/quarkus-run.jar" >"$WORK/stack.log" 2>&1 &
APP_PID=$!
PIDS+=("$APP_PID")
for _ in $(seq 1 600); do curl -sf -o /dev/null "$API/items" && break; sleep 0.1; done
printf 'request = function() return wrk.format("GET", "/items") end\n' >"$WORK/floor.lua"
wrk -t"$THREADS" -c"$CLIENTS" -d"${WARMUP}s" -s "$WORK/floor.lua" "$API" >/dev/null
read -r floor_rps floor_p50 floor_p99 < <(run_wrk floor)

cat <<REPORT

Plugboard API benchmark ($(nproc) cores, $CLIENTS clients, ${DURATION}s each, PostgreSQL $(psql -At -d plugboard -c 'show server_version'), $(psql -At -d plugboard -c 'select count(*) from connections') connections)
GET /v1/connections/{id}        $byid_rps req/s  p50 $byid_p50  p99 $byid_p99   | pgbench same SELECT: $pg_byid tps  -> ratio $(ratio "$byid_rps" "$pg_byid")
  CPU per by-id request: app $app_cpu ms, PostgreSQL $pg_cpu ms
  at about half that rate: $half_rps req/s  p50 $half_p50  p99 $half_p99
GET /v1/connections?limit=100   $list_rps req/s  p50 $list_p50  p99 $list_p99   | pgbench COUNT+SELECT: $pg_list tps  -> ratio $(ratio "$list_rps" "$pg_list")
POST /internal/.../resolve      $resolve_rps req/s  p50 $resolve_p50  p99 $resolve_p99   (2 secret headers decrypted per call)
RSS across $(awk '/requests in/ {print $1}' "$WORK/rss10k.wrk") by-id requests: $((rss_10k_before / 1024)) MiB -> $((rss_10k_after / 1024)) MiB -> growth $(awk -v a="$rss_10k_before" -v b="$rss_10k_after" 'BEGIN {printf "%.1f%%", (b - a) * 100 / a}')
RSS after warm-up $((rss_before / 1024)) MiB, after $requests more requests $((rss_after / 1024)) MiB -> growth $(awk -v a="$rss_before" -v b="$rss_after" 'BEGIN {printf "%.1f%%", (b - a) * 100 / a}')
Floor: minimal Quarkus app, same stack, GET /items (one Hibernate query): $floor_rps req/s  p50 $floor_p50  p99 $floor_p99  -> ratio to pgbench by-id $(ratio "$floor_rps" "$pg_byid")
REPORT
