#!/usr/bin/env bash
# Installs the package's development dependencies when node_modules is missing or older than
# the lockfile (npm ci on a fresh clone). Lifecycle scripts are off (see .npmrc).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "[install] npm ci (first run: a few minutes)"
	npm ci --no-audit --no-fund --loglevel=error
fi
