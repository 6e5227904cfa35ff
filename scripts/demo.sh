#!/usr/bin/env bash
# The main job (`npm run demo`): installs and builds what it needs, then starts the Mando emulator
# and a real n8n with these nodes, publishes an example workflow and sends a few events through it.
# Pass --exit to stop once the events have run (otherwise Ctrl-C stops everything).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "[demo] build"; npm run --silent build
bash scripts/ensure-n8n.sh >/dev/null
exec npx ts-node --transpile-only scripts/demo.ts "$@"
