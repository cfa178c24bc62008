#!/usr/bin/env bash
# Stops and removes the zoned stack's containers and networks. Keys and data stay in their volumes for the
# next stack-up unless --volumes is given, which removes them too (auth's signing keys, the services' workload
# keys, the databases and the generated demo password).
#
#   infra/scripts/stack-down.sh [--volumes]
set -euo pipefail

# shellcheck source=compose.sh
. "$(dirname "${BASH_SOURCE[0]}")/compose.sh"

case "${1:-}" in
  "") compose down --remove-orphans ;;
  --volumes | -v) compose down --remove-orphans --volumes ;;
  *) echo "usage: infra/scripts/stack-down.sh [--volumes]" >&2; exit 2 ;;
esac
