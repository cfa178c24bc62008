#!/usr/bin/env bash
# Builds the images of the stores the topology declares (infra/src/stack.ts, STORE_ENGINES):
#   airlock/postgres:<tag>    PostgreSQL 15: postgres and pg_isready, no shell, no initdb
#   airlock/redis:<tag>       Redis 7: redis-server and redis-cli, no shell
#   airlock/store-init:<tag>  the one-shot that creates a store's files and credentials at first start: Node,
#                             initdb and the /bin/sh initdb needs; it runs once, with no network
#
#   infra/scripts/build-store-images.sh [--local-base]
#
#   --local-base   no registry: copy this machine's PostgreSQL 15 (/usr/lib/postgresql/15, /usr/share/postgresql/15)
#                  and redis-server 7, with exactly the libraries `ldd` lists, into empty root filesystems and
#                  `docker import` them (what build-base-image.sh does for Node); Node from airlock/node-runtime:24
#   (default)      a registry: the official images as bases, $AIRLOCK_POSTGRES_BASE_IMAGE (postgres:15) and
#                  $AIRLOCK_REDIS_BASE_IMAGE (redis:7, or a valkey image with the same paths); Node from distroless
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
infra="$root/infra"
TAG="${AIRLOCK_IMAGE_TAG:-dev}"
local_base=false
for arg in "$@"; do
  case "$arg" in
    --local-base) local_base=true ;;
    *) echo "build-store-images: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi

plan() { node "$infra/dist/cli/image-plan.js" "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A context: the Dockerfile's folder plus owned/<mount point> (0700) for each volume the image's containers write.
context_for() {
  local image="$1" context="$work/context-$1"
  rm -rf "$context"
  mkdir -p "$context/owned"
  cp -r "$infra/docker/store-init" "$context/store-init"
  local mount_point
  while IFS= read -r mount_point; do
    mkdir -p "$context/owned$mount_point"
    chmod 0700 "$context/owned$mount_point"
  done < <(plan --mount-points "$image")
  echo "$context"
}

# Copies files (keeping their absolute paths) and every library the loader resolves for them into a root fs.
copy_with_libraries() {
  local rootfs="$1"; shift
  copy_tree "$rootfs" "$@"
  copy_libraries_of "$rootfs" "$@"
}

# Only the libraries the loader resolves for these binaries.
copy_libraries_of() {
  local rootfs="$1"; shift
  local libraries
  mapfile -t libraries < <(ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u)
  copy_tree "$rootfs" -h "${libraries[@]}"
}

# Files or folders, at the same absolute paths under the root fs (tar keeps the parents; -h follows links).
copy_tree() {
  local rootfs="$1"; shift
  mkdir -p "$rootfs"
  tar -C / -cf - "${@#/}" | tar -C "$rootfs" -xf -
}

import_rootfs() {
  local rootfs="$1" image="$2"
  mkdir -p "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . | docker import --message "$image" - "$image" >/dev/null
}

postgres_base="${AIRLOCK_POSTGRES_BASE_IMAGE:-postgres:15}"
redis_base="${AIRLOCK_REDIS_BASE_IMAGE:-redis:7}"
node_runtime="${AIRLOCK_NODE_RUNTIME_IMAGE:-gcr.io/distroless/nodejs24-debian12:nonroot}"
postgres_tools="$postgres_base"
if $local_base; then
  pg_lib=/usr/lib/postgresql/15
  pg_share=/usr/share/postgresql/15
  if [ ! -x "$pg_lib/bin/postgres" ] || ! command -v redis-server >/dev/null; then
    echo "build-store-images: PostgreSQL 15 or redis-server is missing (scripts/ensure-system-packages.sh installs them)" >&2
    exit 1
  fi
  "$infra/scripts/build-base-image.sh" >/dev/null
  node_runtime="airlock/node-runtime:24"
  # Every module but LLVM's JIT (jit is off: it would add libLLVM, over 100 MB, to an image that needs none).
  mapfile -t pg_modules < <(find "$pg_lib/lib" -type f -name '*.so' ! -name 'llvmjit*')

  # The server: postgres and pg_isready, its modules and shared data; no initdb, no shell.
  rootfs="$work/postgres"
  copy_with_libraries "$rootfs" "$pg_lib/bin/postgres" "$pg_lib/bin/pg_isready" "${pg_modules[@]}"
  copy_tree "$rootfs" "$pg_share" /usr/share/zoneinfo
  import_rootfs "$rootfs" "airlock/postgres-rootfs:$TAG"
  postgres_base="airlock/postgres-rootfs:$TAG"

  # The init's tools: every PostgreSQL program, and dash as /bin/sh (initdb runs its bootstrap backend with popen).
  rootfs="$work/postgres-tools"
  copy_with_libraries "$rootfs" "$pg_lib/bin/initdb" "$pg_lib/bin/postgres" "${pg_modules[@]}" "$(readlink -f /bin/sh)"
  copy_tree "$rootfs" "$pg_share" /usr/share/zoneinfo
  # Node comes from the runtime image (store-init.Dockerfile); the libraries it links come from here.
  copy_libraries_of "$rootfs" "$(readlink -f "$(command -v node)")"
  mkdir -p "$rootfs/bin"
  cp "$(readlink -f /bin/sh)" "$rootfs/bin/sh"
  import_rootfs "$rootfs" "airlock/postgres-tools:$TAG"
  postgres_tools="airlock/postgres-tools:$TAG"

  # Redis at the official image's paths, so one healthcheck and one entry point serve both.
  rootfs="$work/redis"
  redis_server="$(readlink -f "$(command -v redis-server)")"
  copy_with_libraries "$rootfs" "$redis_server" "$(command -v redis-cli)"
  mkdir -p "$rootfs/usr/local/bin"
  mv "$rootfs$redis_server" "$rootfs/usr/local/bin/redis-server"
  mv "$rootfs$(command -v redis-cli)" "$rootfs/usr/local/bin/redis-cli"
  import_rootfs "$rootfs" "airlock/redis-rootfs:$TAG"
  redis_base="airlock/redis-rootfs:$TAG"
fi

build() {
  local image="$1" dockerfile="$2"; shift 2
  local started=$SECONDS context
  context="$(context_for "$image")"
  cp "$infra/docker/$dockerfile" "$context/Dockerfile"
  docker build --quiet -f "$context/Dockerfile" "$@" -t "airlock/$image:$TAG" "$context" >/dev/null
  echo "build-store-images: airlock/$image:$TAG ($((SECONDS - started)) s)"
}

mapfile -t images < <(plan --store-images)
for image in "${images[@]}"; do
  case "$image" in
    postgres) build postgres postgres.Dockerfile --build-arg "PASSWD_IMAGE=$node_runtime" --build-arg "POSTGRES_BASE_IMAGE=$postgres_base" ;;
    redis) build redis redis.Dockerfile --build-arg "PASSWD_IMAGE=$node_runtime" --build-arg "REDIS_BASE_IMAGE=$redis_base" ;;
    store-init) build store-init store-init.Dockerfile --build-arg "NODE_RUNTIME_IMAGE=$node_runtime" --build-arg "POSTGRES_TOOLS_IMAGE=$postgres_tools" ;;
    *) echo "build-store-images: no recipe for store image $image" >&2; exit 1 ;;
  esac
done
