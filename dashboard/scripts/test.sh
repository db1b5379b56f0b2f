#!/usr/bin/env bash
# Every dashboard test: types, lint, generated GraphQL code, component tests (Vitest), the
# tracker's committed build and its behaviour in Chromium, the build's weight budgets
# (scripts/size-check.mjs), then the end-to-end run against a real `eventlens up` in Debian's
# Chromium. Exits non-zero on any failure; the last line is
# `dashboard: N passed, M failed` (a lint failure or a stale tracker build counts as one).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if ! have_node; then
  echo "dashboard: Node.js 20.19+ and npm are needed for the dashboard tests" >&2
  exit 1
fi
ensure_deps

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "dashboard: installing Debian's chromium for the end-to-end tests" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== dashboard: typecheck" >&2
npx tsc --noEmit

echo "== dashboard: lint" >&2
lint_status=0
npm run --silent lint || lint_status=$?

echo "== dashboard: GraphQL operations against docs/schema.graphql" >&2
CODEGEN_OUT="$work/gql/" npx graphql-codegen --config codegen.ts --silent
if ! diff -rq "$work/gql" src/gql >/dev/null; then
  echo "dashboard: WARNING src/gql/ differs from what docs/schema.graphql generates; run 'npm run codegen'" >&2
fi

echo "== dashboard: component tests" >&2
unit_status=0
npx vitest run --reporter=default --reporter=json --outputFile="$work/vitest.json" || unit_status=$?

echo "== dashboard: the tracker's committed build is current and within its size budget" >&2
build_status=0
node ../tracker/build.mjs --check || build_status=$?

echo "== dashboard: the tracker in Chromium" >&2
tracker_status=0
node e2e/trackerClient.mjs | tee "$work/tracker.log" || tracker_status=$?

echo "== dashboard: build" >&2
scripts/build.sh

echo "== dashboard: weight budgets of the build" >&2
size_status=0
node scripts/size-check.mjs | tee "$work/size.log" || size_status=$?

echo "== dashboard: end to end" >&2
e2e_status=0
node e2e/run.mjs | tee "$work/e2e.log" || e2e_status=$?

node - "$work/vitest.json" "$lint_status" "$build_status" "$work/tracker.log" "$work/size.log" "$work/e2e.log" <<'JS'
const fs = require('fs');
let passed = 0, failed = 0;
for (const status of process.argv.slice(3, 5)) if (status !== '0') failed += 1;
try {
  const v = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  passed += v.numPassedTests; failed += v.numFailedTests + (v.numRuntimeErrorTestSuites || 0);
} catch { failed += 1; }
for (const log of process.argv.slice(5)) {
  const m = /^(\d+) passed, (\d+) failed$/m.exec(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  if (m) { passed += Number(m[1]); failed += Number(m[2]); } else failed += 1;
}
console.log(`dashboard: ${passed} passed, ${failed} failed`);
JS
[ "$lint_status" -eq 0 ] && [ "$unit_status" -eq 0 ] && [ "$build_status" -eq 0 ] && [ "$tracker_status" -eq 0 ] && [ "$size_status" -eq 0 ] && [ "$e2e_status" -eq 0 ]
