#!/usr/bin/env bash
# Makes a machine ready for the container stack and its suite: installs the Docker engine and Compose from the
# distribution when they are missing (root only: apt-get), and tcpdump, which build-capture-image.sh --local-base
# copies into the image the phantom-token proof captures zone traffic with; starts dockerd when it is not
# running, and waits until the daemon answers. Safe to run again: each step is skipped when already done.
# As a user who may use a running Docker (docker group) with everything installed, it only checks.
#
#   infra/scripts/ensure-docker.sh [--no-tcpdump]     (stack-up.sh, and a registry-built capture image, need none)
set -euo pipefail

DOCKERD_LOG="${AIRLOCK_DOCKERD_LOG:-/tmp/airlock-dockerd.log}"
READY_TIMEOUT_SECONDS=60

compose_available() {
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1
}

packages=()
if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then packages+=(docker.io); fi
if ! compose_available; then packages+=(docker-compose); fi
if ! command -v tcpdump >/dev/null 2>&1 && [ "${1:-}" != "--no-tcpdump" ]; then packages+=(tcpdump); fi
if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-docker: missing ${packages[*]}, and installing needs root (apt-get install ${packages[*]})" >&2
    exit 1
  fi
  echo "ensure-docker: installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "ensure-docker: Docker $(docker version --format '{{.Server.Version}}') is running"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-docker: dockerd is not running (or this user may not use it); start it, or run as root" >&2
  exit 1
fi
echo "ensure-docker: starting dockerd (log: $DOCKERD_LOG)"
# Its own session, so that it outlives this script and the test run that called it. And none of our open
# descriptors: started under `flock /tmp/airlock-docker.lock ...`, it would otherwise inherit the lock's descriptor
# and hold the lock for as long as it runs (it did: every later flock waited for ever).
(
  for fd in /proc/self/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
  done
  exec setsid dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null
) &
for _ in $(seq 1 "$READY_TIMEOUT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    echo "ensure-docker: Docker $(docker version --format '{{.Server.Version}}') is running"
    exit 0
  fi
  sleep 1
done
echo "ensure-docker: dockerd did not answer within ${READY_TIMEOUT_SECONDS} s; its log:" >&2
tail -n 30 "$DOCKERD_LOG" >&2
exit 1
