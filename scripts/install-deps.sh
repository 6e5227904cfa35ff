#!/usr/bin/env bash
# Installs the package's development dependencies when node_modules is missing or older than
# the lockfile (npm ci on a fresh clone). Lifecycle scripts are off (see .npmrc). Run by every
# command that builds (test, demo, screenshots, reliability); the e2e tests' local npm registry
# is installed apart, by scripts/install-verdaccio.sh, only for the tests that use it.
# The npm_config_* variables `npm run` exports come from this project's own .npmrc and the
# user's npm config, which is what this install of this project should read: they are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
# package.json "engines": Node.js 20.15 or newer (n8n itself runs on the Node 24 that ensure-n8n.sh installs)
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 15) ? 0 : 1)'; then
	echo "[install] Node.js $(node -v) is too old for this project: install Node.js 20.15 or newer (see the README)" >&2
	exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "[install] npm ci (first run: a few minutes)"
	npm ci --no-audit --no-fund --loglevel=error
fi
