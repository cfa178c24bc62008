# Redis 7 for the container stack: redis-server and redis-cli (the healthcheck), running as 65532.
#   Local (no registry):  REDIS_BASE_IMAGE=airlock/redis-rootfs:<tag> (build-store-images.sh: Debian's binaries and
#                         exactly the libraries ldd lists; no shell)
#   With a registry:      the default, the official redis:7 image (or valkey/valkey:7 with the same paths)
ARG PASSWD_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot
ARG REDIS_BASE_IMAGE=redis:7
FROM ${PASSWD_IMAGE} AS passwd

FROM ${REDIS_BASE_IMAGE}
LABEL org.opencontainers.image.title="airlock-redis"
COPY --from=passwd /etc/passwd /etc/group /etc/
COPY --chown=65532:65532 owned/ /
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/redis-server"]
