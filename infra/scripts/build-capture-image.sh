#!/usr/bin/env bash
# Builds airlock/capture:<tag>, the image the phantom-token proof captures zone traffic with: tcpdump and the
# libraries it links, nothing else. The suite runs it inside a service's network namespace with only the
# capabilities tcpdump needs, so the suite itself needs no root (see infra/README.md, "The proofs").
#
#   infra/scripts/build-capture-image.sh [--local-base]
#
#   --local-base   no registry: copy this machine's tcpdump and exactly the libraries `ldd` lists into an empty
#                  root filesystem and `docker import` it (what build-base-image.sh does for Node)
#   (default)      a registry: docker/capture.Dockerfile, tcpdump from Debian 12 on $AIRLOCK_CAPTURE_BASE_IMAGE
#                  (default debian:12-slim, the Debian that distroless nodejs24-debian12 is made from)
#
# Idempotent with --local-base: skips the build when the image carries the same tcpdump.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGE="airlock/capture:${AIRLOCK_IMAGE_TAG:-dev}"
SOURCE_LABEL="org.airlock.capture-source"
local_base=false
for arg in "$@"; do
  case "$arg" in
    --local-base) local_base=true ;;
    *) echo "build-capture-image: unknown argument $arg" >&2; exit 2 ;;
  esac
done

if ! $local_base; then
  base="${AIRLOCK_CAPTURE_BASE_IMAGE:-debian:12-slim}"
  if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi
  docker build --quiet -f "$root/infra/docker/capture.Dockerfile" --build-arg "CAPTURE_BASE_IMAGE=$base" \
    -t "$IMAGE" "$root/infra/docker" >/dev/null
  echo "build-capture-image: built $IMAGE on $base"
  exit 0
fi

tcpdump_bin="$(command -v tcpdump || true)"
if [ -z "$tcpdump_bin" ]; then
  echo "build-capture-image: tcpdump is not installed on this machine (ensure-docker.sh installs it as root)" >&2
  exit 1
fi
tcpdump_bin="$(readlink -f "$tcpdump_bin")"
source_id="$(sha256sum "$tcpdump_bin" | cut -c1-16)"
if [ "$(docker image inspect --format "{{ index .Config.Labels \"$SOURCE_LABEL\" }}" "$IMAGE" 2>/dev/null)" = "$source_id" ]; then
  echo "build-capture-image: $IMAGE already carries this machine's tcpdump"
  exit 0
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
for library in $(ldd "$tcpdump_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
  mkdir -p "$rootfs$(dirname "$library")"
  cp -L "$library" "$rootfs$library"
done
mkdir -p "$rootfs/usr/bin" "$rootfs/etc"
cp "$tcpdump_bin" "$rootfs/usr/bin/tcpdump"
chmod 0755 "$rootfs/usr/bin/tcpdump"
# tcpdump opens its socket as root, then drops to the user `tcpdump` before it reads a single packet.
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
tcpdump:x:65532:65532:tcpdump:/nonexistent:/sbin/nologin
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
tcpdump:x:65532:
GROUP

tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
  docker import \
    --change 'ENTRYPOINT ["/usr/bin/tcpdump"]' \
    --change "LABEL $SOURCE_LABEL=$source_id" \
    --message "airlock capture: $("$tcpdump_bin" --version 2>&1 | head -1)" \
    - "$IMAGE" >/dev/null
echo "build-capture-image: built $IMAGE from this machine's $("$tcpdump_bin" --version 2>&1 | head -1)"
