#!/usr/bin/env bash
# API throughput against PostgreSQL's own ceiling (DESIGN §11, issue #8). One command:
#   bash bench/api.sh
# Starts a PostgreSQL 15+ and the packaged app on 127.0.0.1, seeds 1,000 teams x 100 connections,
# then prints, from one run: GET by id and list-of-100 req/s + p50/p99 beside pgbench running the
# equivalent SELECTs with the same client count (ratios), the resolve (decrypt) path, and RSS
# before/after. Bounded durations; stops everything it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
DURATION="${BENCH_DURATION:-15}"
CLIENTS="${BENCH_CLIENTS:-16}"
THREADS="${BENCH_THREADS:-2}"

need wrk wrk
need curl curl
build_app
start_postgres
start_app
psql -q -d plugboard -f "$BENCH_DIR/seed.sql" >/dev/null
API="http://127.0.0.1:$APP_PORT"

# wrk scripts pick a random (key, connection) pair from 1,000 precomputed ones.
pairs=$(psql -At -d plugboard -c "select t, c, md5('conn' || t || '-' || c)::uuid from (select (random()*999+1)::int t, (random()*99+1)::int c from generate_series(1,1000)) r")
{
  echo "local pairs = {"
  while IFS='|' read -r t c id; do printf '{"pb_bench_key_%010d","%s"},\n' "$t" "$id"; done <<<"$pairs"
  echo "}"
  cat <<'LUA'
math.randomseed(os.time())
request = function()
  local p = pairs[math.random(#pairs)]
  local path = string.format(PATH_FORMAT, p[2])
  return wrk.format(METHOD, path, {["Authorization"] = "Bearer " .. p[1]})
end
LUA
} >"$WORK/pairs.lua"
mk() { sed "1i PATH_FORMAT = \"$1\"\nMETHOD = \"GET\"" "$WORK/pairs.lua" >"$WORK/$2.lua"; }
mk "/v1/connections/%s" byid
mk "/v1/connections?limit=100&_=%s" list

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

# warm up (JIT, pools, caches), then RSS before the measured load
wrk -t"$THREADS" -c"$CLIENTS" -d5s -s "$WORK/byid.lua" "$API" >/dev/null
rss_before=$(rss_kb "$APP_PID")

read -r byid_rps byid_p50 byid_p99 < <(run_wrk byid)
read -r list_rps list_p50 list_p99 < <(run_wrk list)
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
requests=$(awk '/requests in/ {s += $1} END {print s}' "$WORK"/byid.wrk "$WORK"/list.wrk "$WORK"/resolve.wrk)
rss_after=$(rss_kb "$APP_PID")

cat <<REPORT

Plugboard API benchmark ($(nproc) cores, $CLIENTS clients, ${DURATION}s each, PostgreSQL $(psql -At -d plugboard -c 'show server_version'), $(psql -At -d plugboard -c 'select count(*) from connections') connections)
GET /v1/connections/{id}        $byid_rps req/s  p50 $byid_p50  p99 $byid_p99   | pgbench same SELECT: $pg_byid tps  -> ratio $(ratio "$byid_rps" "$pg_byid")
GET /v1/connections?limit=100   $list_rps req/s  p50 $list_p50  p99 $list_p99   | pgbench COUNT+SELECT: $pg_list tps  -> ratio $(ratio "$list_rps" "$pg_list")
POST /internal/.../resolve      $resolve_rps req/s  p50 $resolve_p50  p99 $resolve_p99   (2 secret headers decrypted per call)
RSS after warm-up $((rss_before / 1024)) MiB, after $requests more requests $((rss_after / 1024)) MiB -> growth $(awk -v a="$rss_before" -v b="$rss_after" 'BEGIN {printf "%.1f%%", (b - a) * 100 / a}')
REPORT
