#!/usr/bin/env bash
# infra's `pnpm test` (so also `./airlock test`): makes Docker ready (ensure-docker.sh installs and starts it on
# a clean machine), builds the base and service images from the services turbo has just built, then runs jest:
# the generators' unit tests and the container suite, serially (the proofs share one stack).
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

bash scripts/ensure-docker.sh
bash scripts/build-images.sh --local-base --no-compile
export TESTCONTAINERS_RYUK_DISABLED=true
exec "${jest[@]}" "$@"
