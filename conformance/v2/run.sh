#!/usr/bin/env bash
# MCP 2026-07-28 conformance with the TypeScript SDK v2 (conformance/v2/package.json, pinned):
# a 2026-07-28-only server (modern-server.mjs, createMcpHandler with legacy: 'reject') on 127.0.0.1,
# used by the v2 client directly and through Plugboard (ModernConformanceTest: the probe, both
# gateway endpoints, v2 clients of every era), then the official conformance framework.
# Node 22 comes from the npm package `node` pinned there (the framework needs >= 22; Debian has 20).
# Missing node/npm or an unreachable npm registry skip the run (not a Plugboard failure).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

# npm brings the pinned packages and Node 22 itself; without it (or the registry) nothing can run.
if ! command -v npm >/dev/null 2>&1 || ! (cd conformance/v2 && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  echo "conformance v2: npm missing or the install failed (registry unreachable?), skipped"
  exit 0
fi
NODE="$ROOT/conformance/v2/node_modules/.bin/node"
if ! "$NODE" --version >/dev/null 2>&1; then
  echo "conformance v2: the pinned Node 22 does not run here, skipped"
  exit 0
fi

# One server, started once; the checks below are foreground processes.
WORK="$(mktemp -d)"
SERVER_PID=""
stop() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap stop EXIT

LOOPBACK_PORT_FILE="$WORK/modern.port" "$NODE" --require "$ROOT/conformance/loopback.cjs" conformance/v2/modern-server.mjs >"$WORK/modern.log" 2>&1 &
SERVER_PID="$!"
for _ in $(seq 1 300); do
  [ -s "$WORK/modern.port" ] || ! kill -0 "$SERVER_PID" 2>/dev/null && break
  sleep 0.1
done
[ -s "$WORK/modern.port" ] || { echo "conformance v2: the fixture server did not start" >&2; cat "$WORK/modern.log" >&2; exit 1; }
MODERN="http://127.0.0.1:$(cat "$WORK/modern.port")/mcp"
echo "conformance v2: the 2026-07-28-only server listens at $MODERN"

./mvnw -B -ntp -q test -Dtest='ModernConformanceTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dplugboard.v2.server="$MODERN" -Dplugboard.v2.node="$NODE"
echo "conformance v2: the probe and the gateway gave v2 clients exactly what the 2026-07-28-only server gives directly"
