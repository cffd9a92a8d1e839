#!/usr/bin/env bash
# Probe cost vs the bare MCP exchange of a minimal client against the same local server
# (ProbeBenchmark: the Java SDK's Streamable HTTP server on 127.0.0.1; 8,000 warm-up runs of each kind,
# then medians over 2,000). Takes about 3 minutes.
# Prints the medians and the ratios; needs a JDK >= 21 (JAVA_HOME) like the build.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q test -Dtest=ProbeBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dplugboard.bench=true \
  | grep '^bench:'
