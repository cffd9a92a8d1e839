#!/usr/bin/env bash
# MCP OAuth conformance: runs the full Plugboard flow (check, dynamic registration, consent, callback,
# resolve, authenticated MCP call) against the MCP TypeScript SDK's example server with OAuth
# (simpleStreamableHttp.js --oauth), on loopback, then has the SDK's client use that connection through
# the gateway with only an API key. Skips cleanly when node or the example is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "conformance/oauth.sh: node not found, skipping"
  exit 0
fi

find_example() {
  { find -L "$1" -path '*@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js' 2>/dev/null || true; } | head -1
}

example="$(find_example conformance/node_modules)"
cleanup() {
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

if [ -z "$example" ] && command -v npm >/dev/null 2>&1; then
  # The pinned SDK of conformance/ (its client also plays the agent through the gateway).
  echo "conformance/oauth.sh: installing conformance/ (npm ci)"
  (cd conformance && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || true
  example="$(find_example conformance/node_modules)"
fi
if [ -z "$example" ]; then
  echo "conformance/oauth.sh: simpleStreamableHttp.js not found in the installed SDK, skipping"
  exit 0
fi

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
MCP_PORT="$(free_port)"
MCP_AUTH_PORT="$(free_port)"
while [ "$MCP_AUTH_PORT" = "$MCP_PORT" ]; do MCP_AUTH_PORT="$(free_port)"; done
export MCP_PORT MCP_AUTH_PORT

log="$(mktemp)"
node "$example" --oauth >"$log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 100); do
  if node -e 'require("net").connect(+process.argv[1],"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$MCP_PORT" \
     && node -e 'require("net").connect(+process.argv[1],"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$MCP_AUTH_PORT"; then
    ready=1
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "conformance/oauth.sh: the SDK example server did not start:"
  cat "$log"
  exit 1
fi
echo "conformance/oauth.sh: SDK example server on http://localhost:$MCP_PORT/mcp (authorization server port $MCP_AUTH_PORT)"

PLUGBOARD_CONFORMANCE_MCP_URL="http://localhost:$MCP_PORT/mcp" \
  ./mvnw -B -ntp test -Dtest=SdkExampleOAuthConformanceTest -Dsurefire.failIfNoSpecifiedTests=false
