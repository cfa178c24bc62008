# The capture image with a registry (hosted runners): tcpdump from Debian 12, the Debian that
# gcr.io/distroless/nodejs24-debian12 is made from. Without a registry, infra/scripts/build-capture-image.sh
# --local-base makes the same image from this machine's tcpdump instead. The container suite runs it with
# `--cap-drop ALL` plus NET_RAW (the capture socket) and SETUID/SETGID (to drop to the user `tcpdump`, which
# the Debian package creates, before reading a packet), inside the network namespace of one service.
ARG CAPTURE_BASE_IMAGE=debian:12-slim
FROM ${CAPTURE_BASE_IMAGE}
RUN apt-get update \
  && apt-get install -y --no-install-recommends tcpdump \
  && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/usr/bin/tcpdump"]
