#!/usr/bin/env bash
# Lints an OpenAPI document file with the tools API users run on it: swagger-parser's validate
# (the OpenAPI 3.1 schema) and Redocly CLI's recommended rules (redocly.yaml says which are off, and
# why). Starts nothing: give it a file, e.g. the one the build stores (target/openapi/openapi.json).
# Exit 0 only when both report 0 errors. Missing node/npm or an unreachable npm registry skip it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DOC="$(realpath "${1:?usage: openapi-lint/run.sh <openapi.json|yaml>}")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "openapi-lint: node/npm not found, skipped"
  exit 0
fi
if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  echo "openapi-lint: npm install failed (registry unreachable?), skipped"
  exit 0
fi

# Both run, so one report shows every problem; the exit status is non-zero when either found an error.
status=0
node "$HERE/validate.mjs" "$DOC" || status=1
# Redocly prints a banner that it prefers Node 22 (Debian has 20); it runs on 20.
(cd "$HERE" && npx --no-install redocly lint --config redocly.yaml --format=summary --max-problems 1000 "$DOC") || status=1
exit "$status"
