#!/usr/bin/env bash
# The reliability and security suite (`npm run test:reliability`, issue 4): Mando's retry schedule
# against a real n8n 2.40.7 (downtime, a disabled webhook, registration hygiene, duplicates),
# 10,000 fuzzed deliveries, secrets never leaked, queue mode (main + webhook processor + worker
# on PostgreSQL and Redis, two webhook processors behind nginx), the action node under injected
# faults. Installs what it needs (npm dependencies, Node 24 + n8n, and Debian's redis-server,
# postgresql and nginx-light when missing), prints
# the figures table, and ends with one plain line `N passed, N failed`.
#   npm run test:reliability                 the whole suite (about 15 minutes on 2 cores)
#   npm run test:reliability -- fuzz         only files matching "fuzz" (jest path pattern)
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
echo "[reliability] build"; npm run --silent build || { echo "0 passed, 1 failed"; exit 1; }
echo "[reliability] n8n"; bash scripts/ensure-n8n.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

# Redis, PostgreSQL and nginx from Debian's packages, for queue mode (the tests start their own servers).
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
	echo "[reliability] installing ${missing[*]} (apt-get)"
	sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
	"${sudo_cmd[@]}" apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
		echo "[reliability] could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
	# the packages may start their own service; the tests use throw-away servers of their own
	"${sudo_cmd[@]}" service redis-server stop >/dev/null 2>&1 || true
	"${sudo_cmd[@]}" service postgresql stop >/dev/null 2>&1 || true
	"${sudo_cmd[@]}" service nginx stop >/dev/null 2>&1 || true
fi

export MANDO_RELIABILITY_FIGURES="$(mktemp -t mando-reliability-figures-XXXXXX.jsonl)"
results="$(mktemp -t mando-reliability-jest-XXXXXX.json)"
npx jest --selectProjects reliability --runInBand --json --outputFile="$results" "$@"
status=$?

echo
echo "Reliability figures (npm run test:reliability, $(date -u +%Y-%m-%d), $(( $(date +%s) - started )) s in all):"
npx ts-node --transpile-only test/reliability/figures.ts "$MANDO_RELIABILITY_FIGURES"
echo
node -e '
	const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const skipped = r.numPendingTests + r.numTodoTests;
	const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
	console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || { echo "0 passed, 1 failed"; exit 1; }
rm -f "$results" "$MANDO_RELIABILITY_FIGURES"
exit $status
