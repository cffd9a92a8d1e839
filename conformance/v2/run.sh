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
source conformance/v2/lib.sh
v2_fixture "conformance v2" conformance/v2/modern-server.mjs
MODERN="$SERVER_URL"
echo "conformance v2: the 2026-07-28-only server listens at $MODERN"

./mvnw -B -ntp -q test -Dtest='ModernConformanceTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dplugboard.v2.server="$MODERN" -Dplugboard.v2.node="$NODE"
echo "conformance v2: the probe and the gateway gave v2 clients exactly what the 2026-07-28-only server gives directly"
