#!/usr/bin/env bash
# infra's `pnpm test:swarm` (so also `./airlock test`, its own phase): deploys the stack on a single-node Docker
# Swarm with every replica (swarm-up.sh, from a stack file made for this run with the proofs' environment), runs
# the Swarm proofs (infra/test/swarm/) against it, and always removes it again with its volumes and secrets,
# leaving the swarm when this run created it.
#
#   infra/scripts/run-swarm-suite.sh [jest arguments]
#
# Refuses to run beside a stack someone deployed with `./airlock swarm:up`: the proofs deploy the same stack name.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(cd .. && pwd)"
# shellcheck source=../../scripts/toolchain-env.sh
. "$root/scripts/toolchain-env.sh"
STACK=airlock-swarm
stack_file="$PWD/.proofs/swarm/airlock-stack.proofs.yml"

bash scripts/ensure-docker.sh --no-tcpdump
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = "active" ] &&
  docker stack ls --format '{{.Name}}' | grep -qx "$STACK"; then
  echo "swarm proofs: stack $STACK is already deployed; remove it first (./airlock swarm:down)" >&2
  exit 1
fi
# A run that was killed may have left the stack's volumes: the proofs start from none.
for volume in $(docker volume ls --quiet --filter "name=^${STACK}_"); do docker volume rm "$volume" >/dev/null; done

# The front door's port (the issuer's): a free one below the ephemeral range, as the local stack picks them.
port="$(node -e "
const { createServer } = require('node:net');
const pick = () => {
  const port = 20000 + Math.floor(Math.random() * 12000);
  const server = createServer().once('error', pick).listen(port, '127.0.0.1', () => server.close(() => console.log(port)));
};
pick();")"
node dist/cli/write-swarm-proof-stack.js "$stack_file" "$port"

started=$SECONDS
trap 'bash scripts/swarm-down.sh --volumes; echo "swarm proofs: deploy, proofs and removal took $((SECONDS - started)) s"' EXIT
AIRLOCK_SWARM_STACK_FILE="$stack_file" AIRLOCK_SWARM_UP_QUIET=1 bash scripts/swarm-up.sh
echo "swarm proofs: the stack was healthy after $((SECONDS - started)) s"

export AIRLOCK_SWARM_FRONT_DOOR_PORT="$port"
node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js \
  --config jest.swarm.config.js --runInBand --json --outputFile=.jest-swarm-results.json "$@"
