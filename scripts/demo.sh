#!/usr/bin/env bash
# The main job (`npm run demo`): installs and builds what it needs, then starts the Mando emulator
# and a real n8n with these nodes, publishes an example workflow and sends a few events through it.
# Pass --exit to stop once the events have run (otherwise Ctrl-C stops everything).
set -euo pipefail
cd "$(dirname "$0")/.."
for option in "$@"; do
	if [ "$option" != "--exit" ]; then
		echo "demo failed: unknown option $option; the demo takes only --exit (stop once the events ran)" >&2
		exit 2
	fi
done
bash scripts/install-deps.sh
echo "[demo] build"; npm run --silent build
bash scripts/ensure-n8n.sh >/dev/null
# ts-node straight from node_modules (not through npx, which adds a shell of its own): the demo is
# then the direct child of npm's shell and notices when that shell is gone (see demo.ts).
exec node node_modules/ts-node/dist/bin.js --transpile-only scripts/demo.ts "$@"
