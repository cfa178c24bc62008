#!/usr/bin/env bash
# Makes a machine ready for the suites that start real servers and a real browser: PostgreSQL (`postgresql`),
# Redis (`redis-server`) and Chromium (`chromium`), from the distribution, when they are missing. Tests start
# each on loopback with a temporary folder and a free port and stop it after; nothing here starts a server.
# Installing needs root (apt-get); as any other user it only checks, and says what is missing.
# Safe to run again: a package whose program is present is skipped.
#
#   scripts/ensure-system-packages.sh            (`.ci/run` runs it as root; `./airlock test` runs it first)
set -euo pipefail

# Debian puts PostgreSQL's server programs under /usr/lib/postgresql/<major>/bin, not on PATH.
has_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1
}

packages=()
if ! has_postgres; then packages+=(postgresql); fi
if ! command -v redis-server >/dev/null 2>&1; then packages+=(redis-server); fi
if ! command -v chromium >/dev/null 2>&1; then packages+=(chromium); fi

if [ "${#packages[@]}" -eq 0 ]; then
  echo "ensure-system-packages: postgresql, redis-server and chromium are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-system-packages: missing ${packages[*]}; installing needs root:" \
    "sudo scripts/ensure-system-packages.sh (apt-get install ${packages[*]})" >&2
  exit 1
fi
echo "ensure-system-packages: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null
echo "ensure-system-packages: installed ${packages[*]}"
