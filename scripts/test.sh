#!/usr/bin/env bash
# npm test: every test, the browser ones included. It sets up what they need first (the dashboards'
# own node_modules, Debian's chromium and poppler-utils) and says clearly what to do where it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "node_modules is missing: run 'npm ci' first." >&2
  exit 1
fi
npx tsx scripts/ensure.ts dashboards chromium poppler
npx tsc --noEmit -p tsconfig.json
mkdir -p test-output
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@" || status=$?
# docs/reliability.md is generated from what the reliability suite recorded in this run.
if [ "$status" -eq 0 ] && ls test-output/reliability/*.json >/dev/null 2>&1; then
  npx tsx scripts/reliability-report.ts || status=$?
fi
# One plain closing line ("N passed, N failed") that any CI log reader understands.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-output/vitest.json", "utf8"));
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
