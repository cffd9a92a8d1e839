#!/usr/bin/env bash
# The official conformance framework's client `auth/*` scenarios against Plugboard's OAuth engine:
# AuthScenariosConformanceTest starts Plugboard and runs, per scenario, `conformance client` with
# auth-driver.mjs, which does what a platform does (oauth/mcp/start, the browser hop, the callback, the
# gateway's initialize + tools/list + tools/call with only an API key). Prints the table; fails only
# when a scenario EXPECTED to pass does not (AuthScenariosConformanceTest.EXPECTED names the others,
# each with its reason; docs/mcp.md "Client authorization scenarios").
# Missing node/npm or an unreachable npm registry skip the run (not a Plugboard failure).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

source conformance/v2/lib.sh
v2_node "auth scenarios" || exit 0
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

v2_maven_test "auth scenarios" "conformance client, through Plugboard's OAuth engine and gateway" \
  "every scenario expected to pass passes" \
  -Dtest='AuthScenariosConformanceTest' -Dplugboard.auth.scenarios=true -Dplugboard.v2.node="$NODE" -Dplugboard.auth.report="$WORK/table.md"
