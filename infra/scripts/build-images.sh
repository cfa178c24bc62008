#!/usr/bin/env bash
# Builds airlock/<service>:dev for every service of the topology (or the ones named), from one Dockerfile.
#
#   infra/scripts/build-images.sh [--local-base] [--no-compile] [service...]
#
#   --local-base   build airlock/node-runtime:24 from this machine's Node 24 and use it as the runtime
#                  (no registry needed); default: $AIRLOCK_NODE_RUNTIME_IMAGE, else distroless Node 24
#   --no-compile   the services are already built (e.g. by turbo's ^build); skip `turbo run build`
#
# Each image's context is made on the host: `pnpm deploy --prod` of the service (dist/, package.json and
# production node_modules), pruned of sources, tests and type declarations, plus the empty mount points the
# service owns. The build refuses a context that holds anything that looks like a key or a database, and each
# image is checked after the build: runs as 65532, no shell, app not writable, mount points writable.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
infra="$root/infra"
# shellcheck source=../../scripts/toolchain-env.sh
. "$root/scripts/toolchain-env.sh"

DEFAULT_RUNTIME="gcr.io/distroless/nodejs24-debian12:nonroot"
LOCAL_RUNTIME="airlock/node-runtime:24"
TAG="${AIRLOCK_IMAGE_TAG:-dev}"
runtime="${AIRLOCK_NODE_RUNTIME_IMAGE:-$DEFAULT_RUNTIME}"
compile=true
services=()
for arg in "$@"; do
  case "$arg" in
    --local-base) runtime="$LOCAL_RUNTIME" ;;
    --no-compile) compile=false ;;
    -*) echo "build-images: unknown option $arg" >&2; exit 2 ;;
    *) services+=("$arg") ;;
  esac
done

# The legacy builder where BuildKit's CLI plugin is missing (Debian's docker.io): the Dockerfile needs
# nothing BuildKit-only, and both use a local base image without pulling it.
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi

# The plan comes from the topology, through infra's own compiled CLI (not turbo's ^build of infra, which
# would compile every service first).
if $compile; then (cd "$root" && pnpm exec turbo run build --filter=@airlock/topology --output-logs=errors-only >/dev/null); fi
if [ ! -f "$infra/dist/cli/image-plan.js" ] || $compile; then (cd "$infra" && pnpm run --silent build); fi
if [ "${#services[@]}" -eq 0 ]; then mapfile -t services < <(node "$infra/dist/cli/image-plan.js"); fi

if $compile; then
  filters=()
  for service in "${services[@]}"; do filters+=("--filter=@airlock/$service"); done
  (cd "$root" && pnpm exec turbo run build "${filters[@]}" --output-logs=errors-only)
fi

if [ "$runtime" = "$LOCAL_RUNTIME" ]; then "$infra/scripts/build-base-image.sh"; fi

# Only what runs: compiled JavaScript and package.json, for the service and each workspace package it uses.
prune_package() {
  local dir="$1"
  find "$dir" -mindepth 1 -maxdepth 1 ! -name dist ! -name package.json ! -name node_modules -exec rm -rf {} +
  if [ -d "$dir/dist" ]; then
    find "$dir/dist" -type f \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' -o -name '*.test.js' \) -delete
  fi
}

# Contexts live outside the workspace: pnpm deploy into a folder inside it would reinstall the enclosing package.
build_root="$(mktemp -d)"
# `pnpm deploy --prod` records a production-only install in the workspace's own state; pnpm-workspace.yaml
# turns off pnpm's install-before-run, which would otherwise prune the workspace's devDependencies while
# other packages' tests run. The next `pnpm install` (scripts/bootstrap.sh) records the full install again.
trap 'rm -rf "$build_root"' EXIT

build_one() {
  local service="$1" context="$build_root/$service"
  if [ ! -f "$root/apps/$service/dist/index.js" ]; then
    echo "build-images: apps/$service/dist/index.js is missing: build the service first" >&2
    return 1
  fi
  rm -rf "$context"
  mkdir -p "$context/owned" "$context/skeleton"
  # --legacy: pnpm 12 deploys a workspace without inject-workspace-packages only this way; the copies of
  # workspace packages it makes are whole folders, which prune_package trims.
  (cd "$root" && pnpm --filter "@airlock/$service" deploy --prod --legacy "$context/app" >/dev/null)
  prune_package "$context/app"
  while IFS= read -r -d '' workspace_package; do prune_package "$workspace_package"; done < <(
    find "$context/app/node_modules/.pnpm" -mindepth 4 -maxdepth 4 -path '*/node_modules/@airlock/*' -type d -print0
  )
  rm -f "$context/app/node_modules/.modules.yaml" "$context/app/node_modules/.pnpm/lock.yaml"
  local leaked
  leaked="$(find "$context/app" \( -name '*.jwk.json' -o -name '*.pem' -o -name '*.key' -o -name '*.db' -o -name '*.db-wal' -o -name '.data' -o -name '.env' -o -name '.env.*' \) -print | head -5)"
  if [ -n "$leaked" ]; then
    echo "build-images: refusing to build $service: its context holds key or data files:" >&2
    echo "$leaked" >&2
    return 1
  fi
  local mount_points=()
  mapfile -t mount_points < <(node "$infra/dist/cli/image-plan.js" "$service")
  for mount_point in "${mount_points[@]}"; do
    mkdir -p "$context/owned$mount_point" "$context/skeleton$(dirname "$mount_point")"
    chmod 0700 "$context/owned$mount_point"
  done

  local log
  log="$(mktemp)"
  if ! docker build --quiet -f "$infra/docker/Dockerfile" \
    --build-arg "NODE_RUNTIME_IMAGE=$runtime" --build-arg "SERVICE=$service" \
    -t "airlock/$service:$TAG" "$context" >/dev/null 2>"$log"; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"

  verify_image "$service" "${mount_points[@]}"
}

# Runs the image's own Node, with no network, as the image's user: what an attacker inside would find.
verify_image() {
  local service="$1"; shift
  local mount_points_json
  mount_points_json="$(printf '%s\n' "$@" | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0,"utf8").split("\n").filter(Boolean)))')"
  docker run --rm --network none --read-only --cap-drop ALL --security-opt no-new-privileges:true \
    -e "MOUNT_POINTS=$mount_points_json" "airlock/$service:$TAG" -e '
      const fs = require("node:fs");
      const problems = [];
      if (process.getuid() !== 65532 || process.getgid() !== 65532) problems.push(`runs as ${process.getuid()}:${process.getgid()}`);
      for (const shell of ["/bin/sh", "/bin/bash", "/bin/busybox", "/usr/bin/apt", "/usr/bin/apk"]) {
        if (fs.existsSync(shell)) problems.push(`has ${shell}`);
      }
      try { fs.accessSync("/app/dist/index.js", fs.constants.W_OK); problems.push("the app is writable"); } catch {}
      if (fs.statSync("/app/dist").uid !== 0) problems.push("the app is not root-owned");
      for (const mountPoint of JSON.parse(process.env.MOUNT_POINTS)) {
        const stat = fs.statSync(mountPoint);
        if (stat.uid !== 65532) problems.push(`${mountPoint} is owned by ${stat.uid}`);
        if (fs.readdirSync(mountPoint).length > 0) problems.push(`${mountPoint} is not empty`);
      }
      if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1); }
    ' || { echo "build-images: airlock/$service:$TAG failed its checks" >&2; return 1; }
}

for service in "${services[@]}"; do
  started=$SECONDS
  build_one "$service"
  echo "build-images: airlock/$service:$TAG ($((SECONDS - started)) s)"
done

echo
echo "runtime: $runtime"
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' |
  awk -F '\t' -v tag=":$TAG" -v runtime="$runtime" '
    (index($1, "airlock/") == 1 && substr($1, length($1) - length(tag) + 1) == tag) || $1 == runtime {
      printf "  %-44s %s\n", $1, $2
    }' | sort
