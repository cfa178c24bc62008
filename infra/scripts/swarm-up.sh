#!/usr/bin/env bash
# Deploys the stack on Docker Swarm (infra/swarm/, generated from the topology) and waits until every replica is
# healthy. Makes this machine a single-node swarm when it is in none (and remembers that, so swarm-down.sh leaves
# it again), builds the images when missing, runs the stores' inits and turns their credentials into secrets.
#
#   infra/scripts/swarm-up.sh [--build]
#
# One node: infra/swarm/airlock-stack.single-node.yml (both gateways, nothing published: each gateway task
# answers at its address on docker_gwbridge, which this prints). More nodes: airlock-stack.yml (the gateway in
# host mode on :8080 of each node, one per node). AIRLOCK_SWARM_STACK_FILE names another file (the proofs' own).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scripts="$root/infra/scripts"
# shellcheck source=../../scripts/toolchain-env.sh
. "$root/scripts/toolchain-env.sh"
STACK=airlock-swarm
HEALTHY_TIMEOUT_SECONDS="${AIRLOCK_SWARM_HEALTHY_TIMEOUT_SECONDS:-240}"
local_dir="$root/infra/swarm/.local"

"$scripts/ensure-docker.sh" --no-tcpdump

"$scripts/ensure-images.sh" "$@"

mkdir -p "$local_dir"
chmod 700 "$local_dir"
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
  # Loopback: a one-node swarm that advertises nothing to the network.
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  touch "$local_dir/swarm-created-by-swarm-up"
  echo "swarm-up: this machine is now a single-node swarm (swarm-down.sh leaves it)"
fi

nodes="$(docker node ls --quiet | wc -l)"
stack_file="${AIRLOCK_SWARM_STACK_FILE:-}"
if [ -z "$stack_file" ]; then
  stack_file="$root/infra/swarm/airlock-stack.yml"
  [ "$nodes" -eq 1 ] && stack_file="$root/infra/swarm/airlock-stack.single-node.yml"
fi

node "$root/infra/dist/cli/swarm-prepare.js"
docker stack deploy --prune --resolve-image never -c "$stack_file" "$STACK"

# `docker service ls` counts a task as running only once its healthcheck passed. A service placed at most m per
# node cannot run more than m times the nodes.
deadline=$((SECONDS + HEALTHY_TIMEOUT_SECONDS))
while :; do
  pending=()
  while read -r name replicas rest; do
    running="${replicas%%/*}"
    desired="${replicas##*/}"
    if [[ "$rest" =~ max\ ([0-9]+)\ per\ node ]]; then
      cap=$((BASH_REMATCH[1] * nodes))
      [ "$desired" -gt "$cap" ] && desired="$cap"
    fi
    [ "$running" -ge "$desired" ] || pending+=("$name:$running/$desired")
  done < <(docker stack services "$STACK" --format '{{.Name}} {{.Replicas}}')
  [ "${#pending[@]}" -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "swarm-up: not healthy after ${HEALTHY_TIMEOUT_SECONDS} s: ${pending[*]}" >&2
    docker stack ps "$STACK" --no-trunc --format '{{.Name}} {{.CurrentState}} {{.Error}}' >&2
    exit 1
  fi
  sleep 3
done

echo
echo "Airlock is running on Docker Swarm (stack $STACK, $nodes node(s), $(basename "$stack_file"))."
if [ "$(basename "$stack_file")" = "airlock-stack.single-node.yml" ]; then
  echo "  Gateways (one per task, on docker_gwbridge; nothing is published on a single node):"
  for task in $(docker ps --quiet --filter "label=com.docker.swarm.service.name=${STACK}_gateway"); do
    echo "    http://$(docker inspect --format '{{(index .NetworkSettings.Networks "docker_gwbridge").IPAddress}}' "$task" 2>/dev/null || echo '?'):8080"
  done
else
  echo "  Gateway: http://<any node>:8080 (host mode, one task per node)"
fi
echo "  Tasks:  docker stack ps $STACK"
echo "  Down:   infra/scripts/swarm-down.sh   (add --volumes to drop keys and data)"
