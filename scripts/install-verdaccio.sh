#!/usr/bin/env bash
# Installs verdaccio, the local npm registry of the installer-path e2e test
# (installed.e2e.test.ts), when tools/verdaccio/node_modules is missing or older than its
# lockfile. It lives in its own folder and lockfile, outside the package's package.json: see
# tools/verdaccio/package.json for why. Only the test commands run this; the demo does not.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs into folders of their own: the project's .npmrc settings (ignore-scripts) do not apply.
source "$(dirname "${BASH_SOURCE[0]}")/lib/own-npm-env.sh"

if [ ! -d tools/verdaccio/node_modules ] || [ tools/verdaccio/package-lock.json -nt tools/verdaccio/node_modules/.package-lock.json ]; then
	echo "[install] npm ci in tools/verdaccio (the e2e tests' local npm registry)"
	(cd tools/verdaccio && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
