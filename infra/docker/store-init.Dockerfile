# The stores' one-shot init (infra/docker/store-init/init-store.mjs): Node, PostgreSQL's initdb and server, and the
# /bin/sh that initdb runs the bootstrap backend through (popen). It runs once per store, with no network, and exits;
# the long-running stores' images have neither Node nor a shell.
#   Local (no registry):  POSTGRES_TOOLS_IMAGE=airlock/postgres-tools:<tag>, NODE_RUNTIME_IMAGE=airlock/node-runtime:24
#   With a registry:      the defaults, the official postgres:15 image and distroless Node 24
# infra/scripts/build-store-images.sh prepares the context (this file's folder plus the owned mount points).
ARG NODE_RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot
ARG POSTGRES_TOOLS_IMAGE=postgres:15
FROM ${NODE_RUNTIME_IMAGE} AS node

FROM ${POSTGRES_TOOLS_IMAGE}
LABEL org.opencontainers.image.title="airlock-store-init" \
      org.opencontainers.image.description="Airlock stores' first-start init: Node, initdb; runs once, no network, as 65532."
COPY --from=node /nodejs /nodejs
# The nonroot user 65532 (initdb and postgres look up the user they run as).
COPY --from=node /etc/passwd /etc/group /etc/
COPY store-init/init-store.mjs /app/init-store.mjs
# The mount points it writes (the store's volume, each user's credential volume), owned by 65532 so that a fresh
# volume mounted there is writable by it.
COPY --chown=65532:65532 owned/ /
USER 65532:65532
WORKDIR /app
ENTRYPOINT ["/nodejs/bin/node", "/app/init-store.mjs"]
