#!/usr/bin/env bash
# Removes the Swarm stack and its secrets, and leaves the swarm when swarm-up.sh created it. Volumes (keys, the
# stores' data) stay unless --volumes.
#
#   infra/scripts/swarm-down.sh [--volumes]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/toolchain-env.sh
. "$root/scripts/toolchain-env.sh"
STACK=airlock-swarm
REMOVED_TIMEOUT_SECONDS=60
local_dir="$root/infra/swarm/.local"

if [ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = "active" ]; then
  if docker stack ls --format '{{.Name}}' | grep -qx "$STACK"; then docker stack rm "$STACK" >/dev/null; fi
  # The stack's containers and networks go asynchronously; volumes can be removed only after the containers.
  deadline=$((SECONDS + REMOVED_TIMEOUT_SECONDS))
  while [ -n "$(docker ps --all --quiet --filter "label=com.docker.stack.namespace=$STACK")" ] ||
    [ -n "$(docker network ls --quiet --filter "label=com.docker.stack.namespace=$STACK")" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "swarm-down: the stack's containers or networks are still there after ${REMOVED_TIMEOUT_SECONDS} s" >&2
      break
    fi
    sleep 1
  done
  [ -f "$root/infra/dist/cli/swarm-prepare.js" ] && node "$root/infra/dist/cli/swarm-prepare.js" --remove
  if [ -f "$local_dir/swarm-created-by-swarm-up" ]; then
    docker swarm leave --force >/dev/null
    rm -f "$local_dir/swarm-created-by-swarm-up"
    echo "swarm-down: left the swarm swarm-up.sh had created"
  fi
fi
rm -rf "$local_dir/secrets"
if [ "${1:-}" = "--volumes" ]; then
  for volume in $(docker volume ls --quiet --filter "name=^${STACK}_"); do
    docker volume rm "$volume" >/dev/null
  done
  echo "swarm-down: removed the stack's volumes"
fi
echo "swarm-down: stack $STACK removed"
