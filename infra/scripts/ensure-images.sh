#!/usr/bin/env bash
# Builds the service and store images when any is missing (or always with --build), on the local runtime base
# unless AIRLOCK_NODE_RUNTIME_IMAGE names a registry's: what stack-up.sh and swarm-up.sh both need first.
#
#   infra/scripts/ensure-images.sh [--build]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scripts="$root/infra/scripts"

base_option=()
[ -z "${AIRLOCK_NODE_RUNTIME_IMAGE:-}" ] && base_option=(--local-base)
if [ ! -f "$root/infra/dist/cli/image-plan.js" ]; then (cd "$root/infra" && pnpm run --silent build); fi
missing=false
while IFS= read -r service; do
  docker image inspect "airlock/$service:dev" >/dev/null 2>&1 || missing=true
done < <(node "$root/infra/dist/cli/image-plan.js")
store_missing=false
while IFS= read -r image; do
  docker image inspect "airlock/$image:dev" >/dev/null 2>&1 || store_missing=true
done < <(node "$root/infra/dist/cli/image-plan.js" --store-images)
if [ "${1:-}" = "--build" ] || $missing; then "$scripts/build-images.sh" "${base_option[@]}"; fi
if [ "${1:-}" = "--build" ] || $store_missing; then "$scripts/build-store-images.sh" "${base_option[@]}"; fi
