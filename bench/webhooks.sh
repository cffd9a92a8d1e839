#!/usr/bin/env bash
# Webhook delivery (DESIGN §14, issue 20). One command:
#   bash bench/webhooks.sh
# Starts a PostgreSQL and the packaged app on 127.0.0.1 with a local receiver (python3), then prints:
#  1. the cost of the outbox INSERT on POST /v1/connections: req/s with no endpoint subscribed (no
#     delivery rows, the event row only) vs one subscribed endpoint (event + delivery + the post-commit
#     attempt), and their ratio;
#  2. commit -> arrival latency of those events, median and p99 (arrival time at the receiver minus the
#     event's own timestamp, taken in the committing transaction);
#  3. events per second the dispatcher delivers from a backlog (one replica, loopback): events are
#     committed with the post-commit attempt held back and no dispatcher, then the app restarts with
#     its dispatcher on and the time until the receiver has them all is measured (the backlog is at least BENCH_BACKLOG events).
# Knobs: BENCH_DURATION (s, per POST run), BENCH_CLIENTS, BENCH_THREADS, BENCH_BACKLOG (events).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
DURATION="${BENCH_DURATION:-15}"
CLIENTS="${BENCH_CLIENTS:-8}"
THREADS="${BENCH_THREADS:-2}"
BACKLOG_TARGET="${BENCH_BACKLOG:-2000}"
ADMIN_TOKEN="${BENCH_ADMIN_TOKEN:-bench-admin}"

need wrk wrk
need curl curl
build_app
start_postgres

RECV_PORT=$(free_port)
ARRIVALS="$WORK/arrivals.txt"
: >"$ARRIVALS"
cat >"$WORK/receiver.py" <<'PY'
import json, sys, threading, time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
lock = threading.Lock()
out = open(sys.argv[2], "a", buffering=1)
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.time()
        ts = datetime.fromisoformat(json.loads(body)["timestamp"].replace("Z", "+00:00")).timestamp()
        with lock:
            out.write(f"{self.headers['webhook-id']} {(now - ts) * 1000:.1f}\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$WORK/receiver.py" "$RECV_PORT" "$ARRIVALS" &
PIDS+=("$!")

WEBHOOK_FLAGS=(-Dplugboard.webhooks.allow-http=true -Dplugboard.webhooks.allow-private-networks=true)
export BENCH_ADMIN_TOKEN="$ADMIN_TOKEN"
start_app "${WEBHOOK_FLAGS[@]}"
API="http://127.0.0.1:$APP_PORT"

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
admin() { curl -sf "$API$1" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d "$2"; }
ORG=$(admin /admin/v1/organizations '{"name":"bench"}' | json_field id)
TEAM=$(admin /admin/v1/teams "{\"organization_id\":\"$ORG\",\"name\":\"bench\"}" | json_field id)
USER_ID=$(admin /admin/v1/users '{"email":"bench@bench.test","name":"bench"}' | json_field id)
curl -sf -X PUT "$API/admin/v1/teams/$TEAM/members/$USER_ID" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d '{"role":"admin"}' >/dev/null
KEY=$(admin /admin/v1/api-keys "{\"user_id\":\"$USER_ID\",\"team_id\":\"$TEAM\",\"name\":\"bench\"}" | json_field key)

cat >"$WORK/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
math.randomseed(os.time())
request = function()
  local body = string.format('{"name":"bench %d","server_url":"https://mcp.bench.test/mcp","provider":"user","auth_method":"url"}', math.random(1, 2147483647))
  return wrk.format(nil, "/v1/connections", nil, body)
end
LUA
post_run() { # post_run <seconds> -> prints "rps p50_ms p99_ms requests"
  wrk -t"$THREADS" -c"$CLIENTS" -d"$1s" --timeout 10s --latency -s "$WORK/create.lua" "$API" >"$WORK/post.wrk"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /requests in/ {n=$1} END {print rps, p50, p99, n}' "$WORK/post.wrk"
}
arrived() { wc -l <"$ARRIVALS"; }
await_arrivals() { # await_arrivals <count> <seconds>
  for _ in $(seq 1 $(($2 * 10))); do [ "$(arrived)" -ge "$1" ] && return 0; sleep 0.1; done
  echo "only $(arrived) of $1 events arrived within $2 s" >&2; exit 1
}
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END { if (NR == 0) { print "n/a"; exit } i = int(NR * p + 0.5); if (i < 1) i = 1; if (i > NR) i = NR; print a[i] }'; }

# warm-up without an endpoint, then 1. webhooks off
post_run "$DURATION" >/dev/null
read -r off_rps off_p50 off_p99 _ < <(post_run "$DURATION")

# 1. and 2. with one subscribed endpoint
admin /admin/v1/webhooks "{\"url\":\"http://127.0.0.1:$RECV_PORT/hook\",\"organization_id\":\"$ORG\"}" >/dev/null
read -r on_rps on_p50 on_p99 on_requests < <(post_run "$DURATION")
await_arrivals "$on_requests" 120
p50_ms=$(cut -d' ' -f2 "$ARRIVALS" | percentile 0.50)
p99_ms=$(cut -d' ' -f2 "$ARRIVALS" | percentile 0.99)

# 3. a backlog, then the dispatcher alone
stop_app
start_app "${WEBHOOK_FLAGS[@]}" -Dplugboard.outbox.after-commit-delay=1h -Dplugboard.outbox.poll-interval=off
: >"$ARRIVALS"
pending() { psql -At -d plugboard -c "select count(*) from outbox_jobs where kind = 'webhook' and status = 'pending'"; }
while [ "$(pending)" -lt "$BACKLOG_TARGET" ]; do post_run 2 >/dev/null; done
backlog=$(pending)
stop_app
start_app "${WEBHOOK_FLAGS[@]}" -Dplugboard.outbox.poll-interval=1s
t0=$(date +%s.%N)
await_arrivals "$backlog" 600
t1=$(date +%s.%N)
events_per_s=$(awk -v n="$backlog" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')

echo "POST /v1/connections, webhooks off:  $off_rps req/s (p50 $off_p50, p99 $off_p99)"
echo "POST /v1/connections, one endpoint:  $on_rps req/s (p50 $on_p50, p99 $on_p99); on/off = $(ratio "$on_rps" "$off_rps")"
echo "commit -> arrival ($on_requests events): median ${p50_ms} ms, p99 ${p99_ms} ms"
echo "dispatcher from a backlog of $backlog events: $events_per_s events/s (first poll included)"
