#!/usr/bin/env bash
# Brings the zoned stack up in containers and waits until every service is healthy, then checks the running
# containers against the topology (hardening, networks, ports, mounts) and prints how to use it.
#
#   infra/scripts/stack-up.sh [--build]     --build: rebuild the images even when they exist
#
# Images are built when missing, on the local runtime base (no registry needed) unless
# AIRLOCK_NODE_RUNTIME_IMAGE names another. Set AIRLOCK_DEMO_PASSWORD to give every demo user that password (a
# test override); otherwise auth generates one per user into its data volume at first start, and this prints them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scripts="$root/infra/scripts"
# shellcheck source=compose.sh
. "$scripts/compose.sh"
# shellcheck source=../../scripts/toolchain-env.sh
. "$root/scripts/toolchain-env.sh"
HEALTHY_TIMEOUT_SECONDS=120

"$scripts/ensure-docker.sh" --no-tcpdump

"$scripts/ensure-images.sh" "$@"

compose up -d

deadline=$((SECONDS + HEALTHY_TIMEOUT_SECONDS))
while :; do
  unhealthy=()
  for id in $(compose ps -q); do
    # A store's init has run and exited (compose up fails when one does not exit 0): nothing to wait for.
    [ -n "$(docker inspect --format '{{index .Config.Labels "org.airlock.one-shot"}}' "$id")" ] && continue
    status="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")"
    [ "$status" = "healthy" ] || unhealthy+=("$(docker inspect --format '{{index .Config.Labels "com.docker.compose.service"}}' "$id"):$status")
  done
  [ "${#unhealthy[@]}" -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "stack-up: not healthy after ${HEALTHY_TIMEOUT_SECONDS} s: ${unhealthy[*]}" >&2
    compose logs --tail 30 >&2
    exit 1
  fi
  sleep 2
done

node "$root/infra/dist/cli/verify-stack.js" --project "$AIRLOCK_COMPOSE_PROJECT"

gateway_port="$(compose port gateway 8080)"
if [ -n "${AIRLOCK_DEMO_PASSWORD:-}" ]; then
  passwords='  Password: the value of AIRLOCK_DEMO_PASSWORD (every demo user shares it: a test override)'
else
  # Read from auth's data volume, never from its log: each demo user has a password of its own.
  passwords="$(docker exec "$(compose ps -q auth)" /nodejs/bin/node -e \
    'const p=JSON.parse(require("node:fs").readFileSync("/data/auth/demo-passwords.json","utf8"));for(const [u,v] of Object.entries(p))console.log("  "+u+": "+v)' 2>/dev/null ||
    echo '  (passwords: /data/auth/demo-passwords.json in the auth container)')"
fi
cat <<EOT

Airlock is running in containers. Gateway: http://$gateway_port  (the only published port)
  Users: alice, bob (users), carol (admin), each with a password of its own:
$passwords
  Logs:  docker-compose -p $AIRLOCK_COMPOSE_PROJECT -f infra/compose/docker-compose.yml logs -f
  Down:  infra/scripts/stack-down.sh   (add --volumes to drop keys and data)
EOT
