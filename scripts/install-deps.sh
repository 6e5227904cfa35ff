#!/usr/bin/env bash
# Installs the package's development dependencies when node_modules is missing or older than
# the lockfile (npm ci on a fresh clone). Lifecycle scripts are off (see .npmrc).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "[install] npm ci (first run: a few minutes)"
	npm ci --no-audit --no-fund --loglevel=error
fi
# verdaccio (the local npm registry of the installer-path e2e test) lives in its own folder and
# lockfile, outside the package's package.json: see tools/verdaccio/package.json for why.
if [ ! -d tools/verdaccio/node_modules ] || [ tools/verdaccio/package-lock.json -nt tools/verdaccio/node_modules/.package-lock.json ]; then
	echo "[install] npm ci in tools/verdaccio (the e2e tests' local npm registry)"
	(cd tools/verdaccio && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# npm 10 (what Node 20 and 22 ship): the compatibility test installs the packed package with it
# into an empty folder, as the README tells self-hosters (tools/npm10/package.json).
if [ ! -d tools/npm10/node_modules ] || [ tools/npm10/package-lock.json -nt tools/npm10/node_modules/.package-lock.json ]; then
	echo "[install] npm ci in tools/npm10 (npm 10 for the compatibility test)"
	(cd tools/npm10 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
