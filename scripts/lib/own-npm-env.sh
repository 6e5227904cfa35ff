# Sourced by the scripts that install into folders of their own (Node 24 and n8n, verdaccio).
# `npm run …` exports the project's .npmrc as npm_config_* variables (ignore-scripts=true among
# them), and those installs must not inherit it: the n8n install's sqlite3 rebuild has to run its
# build script. Only the keys that the project's .npmrc sets are dropped; the caller's own npm
# settings (cache, registry, proxy) still apply.
# shellcheck shell=bash
own_npm_env_rc="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.npmrc"
if [ -f "$own_npm_env_rc" ]; then
	while IFS= read -r own_npm_env_line; do
		own_npm_env_key="${own_npm_env_line%%=*}"
		own_npm_env_key="${own_npm_env_key//[[:space:]]/}"
		case "$own_npm_env_key" in '' | '#'* | ';'*) continue ;; esac
		own_npm_env_key="npm_config_${own_npm_env_key//-/_}"
		for own_npm_env_name in $(compgen -e); do
			[ "${own_npm_env_name,,}" = "${own_npm_env_key,,}" ] && unset "$own_npm_env_name"
		done
	done <"$own_npm_env_rc"
fi
unset own_npm_env_rc own_npm_env_line own_npm_env_key own_npm_env_name
