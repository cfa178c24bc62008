#!/usr/bin/env bash
# infra's `pnpm test` (so also `./airlock test`): makes Docker ready (ensure-docker.sh installs and starts it on
# a clean machine), builds the base, service and capture images from the services turbo has just built, then
# runs jest: the generators' unit tests and the container suite, serially (the proofs share one stack).
# Needs no root once Docker runs: any user in the docker group can run it (.ci/run does, as airlock-ci).
#
# Images build FROM the local base (no registry) unless AIRLOCK_NODE_RUNTIME_IMAGE names a registry image
# (a hosted runner: see docs/ci.md); the capture image then comes from the registry too.
#
# AIRLOCK_SKIP_CONTAINER_SUITE=1 runs the unit tests only, for machines that cannot run Docker; it says so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jest=(node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js
  --runInBand --json --outputFile=.jest-results.json)
if [ "${AIRLOCK_SKIP_CONTAINER_SUITE:-}" = "1" ]; then
  echo "infra: AIRLOCK_SKIP_CONTAINER_SUITE=1: the container suite (the zone proofs) is NOT run" >&2
  exec "${jest[@]}" --selectProjects unit
fi

if [ -n "${AIRLOCK_NODE_RUNTIME_IMAGE:-}" ]; then
  bash scripts/ensure-docker.sh --no-tcpdump
  bash scripts/build-images.sh --no-compile
  bash scripts/build-store-images.sh
  bash scripts/build-capture-image.sh
else
  bash scripts/ensure-docker.sh
  bash scripts/build-images.sh --local-base --no-compile
  bash scripts/build-store-images.sh --local-base
  bash scripts/build-capture-image.sh --local-base
fi
export TESTCONTAINERS_RYUK_DISABLED=true
exec "${jest[@]}" "$@"
