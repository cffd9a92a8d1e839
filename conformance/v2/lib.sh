# Sourced by conformance/v2/run.sh and suite.sh (from the repository root, with ROOT set).

# v2_node <label>: installs the pinned packages (conformance/v2/package.json, Node 22 among them)
# unless this very lock is installed already, and sets NODE to the pinned node. Fails (after saying
# why, as a skip) when npm, the registry or that node is unavailable here.
v2_node() {
  local label="$1" stamp="conformance/v2/node_modules/.plugboard-lock.json"
  if ! cmp -s conformance/v2/package-lock.json "$stamp"; then
    if ! command -v npm >/dev/null 2>&1 || ! (cd conformance/v2 && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
      echo "$label: npm missing or the install failed (registry unreachable?), skipped"
      return 1
    fi
    cp conformance/v2/package-lock.json "$stamp"
  fi
  NODE="$ROOT/conformance/v2/node_modules/.bin/node"
  if ! "$NODE" --version >/dev/null 2>&1; then
    echo "$label: the pinned Node 22 does not run here, skipped"
    return 1
  fi
}

# v2_start <label> <script>: starts a fixture server on 127.0.0.1 (loopback.cjs picks a free port),
# sets SERVER_PID and SERVER_URL (http://127.0.0.1:<port>/mcp); exits when it does not start.
v2_start() {
  local label="$1" script="$2"
  LOOPBACK_PORT_FILE="$WORK/server.port" "$NODE" --require "$ROOT/conformance/loopback.cjs" "$script" >"$WORK/server.log" 2>&1 &
  SERVER_PID="$!"
  for _ in $(seq 1 300); do
    [ -s "$WORK/server.port" ] || ! kill -0 "$SERVER_PID" 2>/dev/null && break
    sleep 0.1
  done
  [ -s "$WORK/server.port" ] || { echo "$label: the fixture server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
  SERVER_URL="http://127.0.0.1:$(cat "$WORK/server.port")/mcp"
}

# v2_stop: ends the fixture server and removes WORK (the EXIT trap of both scripts).
v2_stop() {
  if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}

# v2_fixture <label> <script>: the pinned node (or a clean skip: exit 0), a WORK directory removed on
# exit, and the fixture server <script> started and stopped on exit (SERVER_URL).
v2_fixture() {
  v2_node "$1" || exit 0
  WORK="$(mktemp -d)"
  trap v2_stop EXIT
  v2_start "$1" "$2"
}

# v2_maven_test <label> <heading> <ok message> <maven args...>: runs one conformance test class (quiet,
# its log in WORK), prints the table it wrote to $WORK/table.md under <heading>, and on failure the
# Maven log's errors and the test's status (the table is passed to the test as -Dplugboard.*.report).
v2_maven_test() {
  local label="$1" heading="$2" ok="$3" status=0
  shift 3
  ./mvnw -B -ntp -q test -Dsurefire.failIfNoSpecifiedTests=false "$@" >"$WORK/maven.log" 2>&1 || status=$?
  if [ -s "$WORK/table.md" ]; then
    echo "$label ($heading):"
    cat "$WORK/table.md"
  fi
  if [ "$status" -ne 0 ]; then
    echo "$label: a scenario regressed (or the run broke):" >&2
    grep -E 'ERROR|FAIL|expected' "$WORK/maven.log" | head -40 >&2
    return "$status"
  fi
  echo "$label: $ok"
}
