#!/usr/bin/env bash
# The compatibility suite (`npm run test:compat`): the packed package installed the way users
# install it, on each n8n version of test/compat/matrix.ts (n8n 1.123.81 on Node 22, 2.3.6 and
# 2.40.7 on Node 24), plus the README's `npm install` path with npm 10. Installs what it needs (npm
# dependencies, each n8n version and its Node, one at a time, cached side by side), prints one line
# per n8n version and check, the total time, and ends with one plain line `N passed, N failed`.
#   npm run test:compat                                    the whole matrix (see README "Compatibility")
#   MANDO_COMPAT_VERSIONS=1.123.81 npm run test:compat     one version (comma-separated list)
#   npm run test:compat -- npm-install                     only files matching "npm-install"
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/install-deps.sh && bash scripts/install-verdaccio.sh || { echo "0 passed, 1 failed"; exit 1; }
# npm 10 (what Node 20 and 22 ship), in its own folder and lockfile (tools/npm10/package.json):
# the README's `npm install` path is checked with it.
if [ ! -d tools/npm10/node_modules ] || [ tools/npm10/package-lock.json -nt tools/npm10/node_modules/.package-lock.json ]; then
	echo "[compat] npm ci in tools/npm10"
	(source scripts/lib/own-npm-env.sh && cd tools/npm10 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || { echo "0 passed, 1 failed"; exit 1; }
fi
# Redis and PostgreSQL for the queue-mode worker check.
bash scripts/install-queue-services.sh "[compat]" || { echo "0 passed, 1 failed"; exit 1; }
echo "[compat] build"; npm run --silent build || { echo "0 passed, 1 failed"; exit 1; }
versions="${MANDO_COMPAT_VERSIONS:-$(node -e 'require("ts-node").register({ transpileOnly: true }); console.log(require("./test/compat/matrix.ts").compatVersions().map((v) => v.n8n).join(","))')}"
# One install at a time, before any test starts (each takes minutes and about 1 GB on a cold cache).
for version in ${versions//,/ }; do
	echo "[compat] n8n $version"
	N8N_VERSION="$version" bash scripts/ensure-n8n.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
done
export MANDO_COMPAT_VERSIONS="$versions"

results="$(mktemp -t mando-compat-jest-XXXXXX.json)"
npx jest --selectProjects compat --runInBand --verbose --json --outputFile="$results" "$@"
status=$?

echo
echo "Compatibility matrix (npm run test:compat, $(date -u +%Y-%m-%d), $(( $(date +%s) - started )) s in all):"
node -e '
	const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	for (const file of r.testResults) for (const t of file.assertionResults)
		console.log(`${t.status === "passed" ? "PASS" : t.status === "failed" ? "FAIL" : t.status.toUpperCase()}  ${t.title}  (${((t.duration ?? 0) / 1000).toFixed(1)} s)`);
	const skipped = r.numPendingTests + r.numTodoTests;
	const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
	console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || { echo "0 passed, 1 failed"; exit 1; }
rm -f "$results"
exit $status
