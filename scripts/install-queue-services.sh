#!/usr/bin/env bash
# Installs Debian's redis-server, postgresql and nginx-light when missing, for the suites that run
# n8n in queue mode (test-reliability.sh, test-compat.sh); the tests start throw-away servers of
# their own, so any service a package starts is stopped again. Prints what it installs.
#   bash scripts/install-queue-services.sh <log prefix>
set -uo pipefail
prefix="${1:-[services]}"
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "$prefix installing ${missing[*]} (apt-get)"
sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq >/dev/null && \
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
	echo "$prefix could not install ${missing[*]}"; exit 1; }
"${sudo_cmd[@]}" service redis-server stop >/dev/null 2>&1 || true
"${sudo_cmd[@]}" service postgresql stop >/dev/null 2>&1 || true
"${sudo_cmd[@]}" service nginx stop >/dev/null 2>&1 || true
