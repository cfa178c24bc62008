# PostgreSQL 15 for the container stack: the server and pg_isready (the healthcheck), running as 65532.
#   Local (no registry):  POSTGRES_BASE_IMAGE=airlock/postgres-rootfs:<tag> (build-store-images.sh: Debian's
#                         binaries and exactly the libraries ldd lists; no shell, no initdb)
#   With a registry:      the default, the official postgres:15 image (it carries a shell: the hardening proof says so)
ARG PASSWD_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot
ARG POSTGRES_BASE_IMAGE=postgres:15
FROM ${PASSWD_IMAGE} AS passwd

FROM ${POSTGRES_BASE_IMAGE}
LABEL org.opencontainers.image.title="airlock-postgres"
COPY --from=passwd /etc/passwd /etc/group /etc/
COPY --chown=65532:65532 owned/ /
USER 65532:65532
ENTRYPOINT ["/usr/lib/postgresql/15/bin/postgres"]
