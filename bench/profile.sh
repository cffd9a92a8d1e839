#!/usr/bin/env bash
# Where the time of a /v1 request goes (issue #8): the packaged app under by-id load with Java Flight
# Recorder on, then a breakdown of its CPU samples by stage. One command:
#   bash bench/profile.sh
# Same set-up as bench/api.sh (PostgreSQL and the app on 127.0.0.1, seeded data, the container's JVM
# flags); BENCH_WARMUP (default 20 s) and BENCH_DURATION (default 20 s, the recorded window).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
WARMUP="${BENCH_WARMUP:-20}"
DURATION="${BENCH_DURATION:-20}"

need wrk wrk
need python3 python3
build_app
start_postgres
start_app -XX:+UseSerialGC -Xmx384m -XX:StartFlightRecording=name=bench,settings=profile
psql -q -d plugboard -f "$BENCH_DIR/seed.sql" >/dev/null
API="http://127.0.0.1:$APP_PORT"
JH=$(java_home)

write_pairs_lua "$WORK/pairs.lua"
sed '1i PATH_FORMAT = "/v1/connections/%s"\nMETHOD = "GET"' "$WORK/pairs.lua" >"$WORK/byid.lua"

wrk -t2 -c16 -d"${WARMUP}s" -s "$WORK/byid.lua" "$API" >/dev/null
"$JH/bin/jcmd" "$APP_PID" JFR.stop name=bench >/dev/null
"$JH/bin/jcmd" "$APP_PID" JFR.start name=window settings=profile >/dev/null
wrk -t2 -c16 -d"${DURATION}s" -s "$WORK/byid.lua" "$API" | grep 'Requests/sec'
"$JH/bin/jcmd" "$APP_PID" JFR.dump name=window filename="$WORK/window.jfr" >/dev/null
"$JH/bin/jfr" print --stack-depth 256 --events jdk.ExecutionSample "$WORK/window.jfr" >"$WORK/samples.txt"

python3 - "$WORK/samples.txt" <<'PY'
import collections, re, sys
events = open(sys.argv[1]).read().split("jdk.ExecutionSample")[1:]
# Stages, matched on any frame of a sample (first match wins, in this order).
stages = [
    ("connection read (ConnectionReads: JDBC, row to view)", "dev.plugboard.connection.ConnectionReads."),
    ("API-key lookup (hash, cache)", "dev.plugboard.tenancy.CallerLookup."),
    ("rate limit (leases)", "dev.plugboard.api.RateLimiter."),
    ("JSON writing (Jackson)", "com.fasterxml.jackson."),
    ("access log", "accesslog.AccessLogHandler$1"),
    ("HTTP metrics (Micrometer)", "io.micrometer."),
    ("JAX-RS dispatch, filters, CDI contexts", "org.jboss.resteasy.reactive."),
    ("HTTP server (Vert.x, Netty: parse, write, routing)", "io.netty."),
]
count = collections.Counter()
for e in events:
    frames = re.findall(r"^\s+([\w$.<>/]+)\(", e, re.M)
    for name, marker in stages:
        if any(marker in f for f in frames):
            count[name] += 1
            break
    else:
        count["other (pool, timers, listener)"] += 1
n = len(events) or 1
print(f"\nCPU samples of the app in the recorded window: {len(events)}")
for name, c in count.most_common():
    print(f"  {c * 100 / n:5.1f}%  {name}")
PY
