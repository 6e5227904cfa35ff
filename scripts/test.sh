#!/usr/bin/env bash
# The test command (`npm test`): installs what it needs, builds, lints, then runs every test —
# unit tests and the end-to-end tests in a real n8n 2.40.7 against the Mando emulator — and ends
# with one plain line `N passed, N failed`.
#   npm test                 all tests
#   npm test -- --unit       unit tests only (no n8n)
set -uo pipefail
cd "$(dirname "$0")/.."

projects=(--selectProjects unit e2e)
if [ "${1:-}" = "--unit" ]; then projects=(--selectProjects unit); shift; fi

bash scripts/install-deps.sh || exit 1
echo "[test] build"; npm run --silent build || exit 1
echo "[test] lint"; npm run --silent lint || exit 1
echo "[test] typecheck (tests included)"; npm run --silent typecheck || exit 1
if [ "${projects[*]}" != "--selectProjects unit" ]; then
	echo "[test] n8n and the local npm registry for the end-to-end tests"
	bash scripts/ensure-n8n.sh >/dev/null || exit 1
	bash scripts/install-verdaccio.sh || exit 1
fi

results="$(mktemp -t mando-jest-XXXXXX.json)"
npx jest "${projects[@]}" --runInBand --json --outputFile="$results" "$@"
status=$?
node -e '
	const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const skipped = r.numPendingTests + r.numTodoTests;
	// A suite that failed to run (e.g. a syntax error) counts as a failure.
	const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
	console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || { echo "0 passed, 1 failed"; exit 1; }
rm -f "$results"
exit $status
