#!/usr/bin/env bash
# Sourced by stack-up.sh and stack-down.sh: `compose ...` runs Compose v2 (`docker compose`) where it is
# installed, else Compose v1 (`docker-compose`), on the generated file under the project name `airlock`.
AIRLOCK_COMPOSE_PROJECT="${AIRLOCK_COMPOSE_PROJECT:-airlock}"
AIRLOCK_COMPOSE_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../compose" && pwd)/docker-compose.yml"

compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose -p "$AIRLOCK_COMPOSE_PROJECT" -f "$AIRLOCK_COMPOSE_FILE" "$@"
  else
    docker-compose -p "$AIRLOCK_COMPOSE_PROJECT" -f "$AIRLOCK_COMPOSE_FILE" "$@"
  fi
}
