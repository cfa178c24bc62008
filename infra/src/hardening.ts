// The container hardening every Airlock service gets, each option with the attack it takes away. The compose
// renderer, the test launcher, the running-stack check and the README table all read this one list.

/** The unprivileged user of distroless images (`nonroot`), and of airlock/node-runtime. */
export const CONTAINER_USER = '65532:65532';
export const TMPFS_PATH = '/tmp';
/** Scratch space only: small, and nothing written there can be executed or carry privileges. */
export const TMPFS_OPTIONS = 'size=16m,mode=1777,noexec,nosuid,nodev';
export const CAP_DROP: readonly string[] = ['ALL'];
export const SECURITY_OPT: readonly string[] = ['no-new-privileges:true'];
/** Bounds what a container's logs can take on the host's disk. */
export const LOG_MAX_SIZE = '10m';
export const LOG_MAX_FILES = '3';

export interface HardeningOption {
  /** The compose key, as written in infra/compose/docker-compose.yml. */
  readonly option: string;
  readonly value: string;
  readonly prevents: string;
}

export const HARDENING_OPTIONS: readonly HardeningOption[] = [
  {
    option: 'image',
    value: 'airlock/<service>:dev on airlock/node-runtime (or distroless)',
    prevents:
      'Living off the land: no shell, no package manager, no coreutils; an attacker with code execution gets Node and the app, nothing to download or build tools with.',
  },
  {
    option: 'user',
    value: `"${CONTAINER_USER}"`,
    prevents:
      'Running as root: a breakout or a writable host mount starts from an unprivileged uid; the app (root-owned) cannot be rewritten.',
  },
  {
    option: 'read_only',
    value: 'true',
    prevents:
      'Persistence and tampering: the root filesystem cannot be written, so no dropped binaries, no modified app code, no changed /etc.',
  },
  {
    option: 'tmpfs',
    value: `${TMPFS_PATH}:${TMPFS_OPTIONS}`,
    prevents:
      'Executing downloaded payloads from scratch space, setuid tricks, and filling memory through /tmp.',
  },
  {
    option: 'cap_drop',
    value: CAP_DROP.join(', '),
    prevents:
      'Raw sockets (ARP/DNS spoofing on a zone network), chown/setuid games, binding privileged ports, and the rest of the default capability set.',
  },
  {
    option: 'security_opt',
    value: SECURITY_OPT.join(', '),
    prevents:
      'Regaining privileges through setuid/setgid binaries or file capabilities after start (execve cannot add any).',
  },
  {
    option: 'mem_limit / memswap_limit',
    value: 'per service (equal: no swap)',
    prevents:
      'A decompression bomb or leak in one container starving the host and the other zones; the kernel kills the offender only.',
  },
  {
    option: 'pids_limit',
    value: 'per service',
    prevents: 'Fork and thread bombs: a compromised container cannot exhaust the host’s process table.',
  },
  {
    option: 'logging',
    value: `json-file, max-size ${LOG_MAX_SIZE}, max-file ${LOG_MAX_FILES}`,
    prevents: 'Filling the host’s disk by making a service log without end.',
  },
  {
    option: 'networks',
    value: 'only the zones the topology gives the service; every zone but edge is internal',
    prevents:
      'Lateral movement and exfiltration: a service shares a network only with the services it may talk to, and only the gateway has a route out.',
  },
  {
    option: 'ports',
    value: 'gateway only, 127.0.0.1:8080',
    prevents: 'Exposing internal services, or the gateway itself, beyond the machine it runs on.',
  },
  {
    option: 'volumes',
    value: 'own data volume; workload public keys in a separate volume, read-only in auth',
    prevents:
      'Keys baked into images, and one service reading another’s private key: auth sees the callers’ public keys and nothing else of theirs.',
  },
  {
    option: 'healthcheck',
    value: 'node fetch of /readyz (no shell needed)',
    prevents: 'Routing to a service that is not ready; depends_on waits for auth to be healthy.',
  },
];
