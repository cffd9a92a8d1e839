#!/usr/bin/env bash
# Conformance: the probe and the MCP gateway against the reference MCP servers from npm
# (server-everything and the TypeScript SDK's examples) over Streamable HTTP, JSON-response,
# stateless and legacy SSE.
# Each server listens on 127.0.0.1 on a free port (loopback.cjs); the expected tool names come from
# the official SDK client; ConformanceProbeTest probes each server through Plugboard's API and
# compares; GatewayConformanceTest has the official SDK client (agent.mjs) use each server directly
# and through the gateway with only an API key, and compares; ConnectLinkAgentTest has it (connect-agent.mjs)
# meet a connection that needs a person, get the connect link, complete it and retry. Missing node/npm or an unreachable npm registry skip the run (not a Plugboard failure).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "conformance: node/npm not found, skipped"
  exit 0
fi
if ! (cd conformance && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  echo "conformance: npm install failed (registry unreachable?), skipped"
  exit 0
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

EVERYTHING="$ROOT/conformance/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
EXAMPLES="$ROOT/conformance/node_modules/@modelcontextprotocol/sdk/dist/esm/examples/server"

# start <name> <path> <http|sse> <script> [args...]: starts a server, records its URL and tools.
start() {
  local name="$1" path="$2" kind="$3"
  shift 3
  LOOPBACK_PORT_FILE="$WORK/$name.port" node --require "$ROOT/conformance/loopback.cjs" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 300); do
    [ -s "$WORK/$name.port" ] && break
    if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
      echo "conformance: $name exited at start:"; cat "$WORK/$name.log"; exit 1
    fi
    sleep 0.1
  done
  [ -s "$WORK/$name.port" ] || { echo "conformance: $name did not start"; cat "$WORK/$name.log"; exit 1; }
  local url="http://127.0.0.1:$(cat "$WORK/$name.port")$path"
  local tools
  tools="$(cd conformance && node list-tools.mjs "$url" "$kind")"
  echo "conformance: $name at $url serves $tools"
  printf '{"name":"%s","url":"%s","kind":"%s","tools":%s}\n' "$name" "$url" "$kind" "$tools" >>"$WORK/servers.jsonl"
}

start everything-streamable /mcp http "$EVERYTHING" streamableHttp
start everything-sse /sse sse "$EVERYTHING" sse
start sdk-streamable /mcp http "$EXAMPLES/simpleStreamableHttp.js"
start sdk-json-response /mcp http "$EXAMPLES/jsonResponseStreamableHttp.js"
start sdk-stateless /mcp http "$EXAMPLES/simpleStatelessStreamableHttp.js"
start sdk-sse /mcp sse "$EXAMPLES/simpleSseServer.js"

./mvnw -B -ntp -q test -Dtest='ConformanceProbeTest,GatewayConformanceTest,ConnectLinkAgentTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dplugboard.conformance="$WORK/servers.jsonl"
echo "conformance: the probe listed exactly the tools of every reference server"
echo "conformance: through the gateway, the SDK client got exactly what it gets directly from every reference server"
