#!/usr/bin/env bash
# Connect links: time from the person's Continue to the answer of a long-poll that waits for the link
# (GET /v1/connect/links/{id}?wait=60), on loopback. One command:
#   bash bench/connect.sh            # BENCH_COUNT links (default 50)
# Starts a PostgreSQL and the packaged app on 127.0.0.1, makes a tenant through the admin API, then
# for each link: makes a `secrets` link, opens its page (cookie + anti-forgery field), starts the
# long-poll, presses Continue with a typed value and measures until the long-poll answers. The link
# completes inside the Continue request, so the figure is Continue's own time plus the NOTIFY →
# listener → re-read path that wakes the waiting request. Prints min / median / p90 / max in ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
COUNT="${BENCH_COUNT:-50}"

need curl curl
build_app
start_postgres
start_app -XX:+UseSerialGC -Xmx384m
API="http://127.0.0.1:$APP_PORT"
ADMIN="Authorization: Bearer ${BENCH_ADMIN_TOKEN:-bench-admin}"
post() { curl -sf "$API$1" -H "$ADMIN" -H 'Content-Type: application/json' -d "$2"; }
jq_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

ORG=$(post /admin/v1/organizations '{"name":"bench","connections_sharing":true}' | jq_id id)
TEAM=$(post /admin/v1/teams "{\"organization_id\":\"$ORG\",\"name\":\"bench\"}" | jq_id id)
USER_ID=$(post /admin/v1/users '{"email":"bench@example.test","name":"Bench"}' | jq_id id)
curl -sf -X PUT "$API/admin/v1/teams/$TEAM/members/$USER_ID" -H "$ADMIN" -H 'Content-Type: application/json' -d '{"role":"admin"}' >/dev/null
KEY=$(post /admin/v1/api-keys "{\"user_id\":\"$USER_ID\",\"team_id\":\"$TEAM\",\"name\":\"bench\"}" | jq_id key)

API="$API" KEY="$KEY" COUNT="$COUNT" python3 - <<'PY'
import http.cookiejar, json, os, re, statistics, threading, time, urllib.parse, urllib.request

api, key, count = os.environ["API"], os.environ["KEY"], int(os.environ["COUNT"])
auth = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}

def call(method, url, body=None, headers=None, opener=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with (opener or urllib.request.build_opener()).open(req, timeout=90) as r:
        return r.status, r.read().decode()

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

times = []
for i in range(count):
    _, body = call("POST", api + "/v1/connect/links",
                   json.dumps({"server_url": "https://mcp.example.test/mcp", "name": f"bench {i}",
                               "secret_headers": ["Authorization"]}).encode(), auth)
    link = json.loads(body)
    path = urllib.parse.urlparse(link["url"]).path
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    _, page = call("GET", api + path, opener=browser)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answered = {}
    def poll():
        _, b = call("GET", f"{api}/v1/connect/links/{link['id']}?wait=60", headers=auth)
        answered["at"] = time.perf_counter()
        answered["status"] = json.loads(b)["status"]
    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.3)  # let the long-poll reach the server before the person presses Continue
    form = urllib.parse.urlencode({"action": "continue", "csrf": csrf, "secret.Authorization": "Bearer bench"}).encode()
    start = time.perf_counter()
    call("POST", api + path, form, {"Content-Type": "application/x-www-form-urlencoded"}, opener=browser)
    waiter.join(90)
    assert answered.get("status") == "completed", answered
    times.append((answered["at"] - start) * 1000)

times.sort()
p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
print(f"connect links: Continue -> long-poll answer over {len(times)} links (ms): "
      f"min {times[0]:.1f}  median {statistics.median(times):.1f}  p90 {p90:.1f}  max {times[-1]:.1f}")
PY
