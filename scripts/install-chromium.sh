#!/usr/bin/env bash
# Installs Debian's chromium (/usr/bin/chromium) when missing, for the browser test (npm run
# test:ui) and npm run screenshots; playwright-core drives it (no browser download). Prints what
# it installs.
#   bash scripts/install-chromium.sh <log prefix>
set -uo pipefail
prefix="${1:-[chromium]}"
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && exit 0
echo "$prefix installing chromium (apt-get)"
sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq >/dev/null && \
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null || {
	echo "$prefix could not install chromium"; exit 1; }
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "$prefix chromium is not at ${CHROMIUM_PATH:-/usr/bin/chromium}"; exit 1; }
