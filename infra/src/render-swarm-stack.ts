// Renders the stack (stack.ts, the same derivation as the compose file) as a Docker Swarm stack file, compose
// file format 3.8: overlay networks per zone, replicas, DNS round-robin endpoints, store credentials as Swarm
// secrets and the hardening Swarm 20.10 applies. What Swarm does not apply is listed in SWARM_NOT_APPLIED.
import { Document } from 'yaml';
import { serviceNamed, storeInstancesOf, type Topology } from '@airlock/topology';
import { isSandboxed, SANDBOX_MALLOC_ARENA_MAX } from './render-compose.js';
import {
  CREDENTIAL_FILE,
  CREDENTIALS_ROOT,
  credentialVolumeOf,
  profileOf,
  type Stack,
  type StackOneShot,
  type StackService,
  type VolumeMount,
} from './stack.js';

export const SWARM_FILE_VERSION = '3.8';
/** `docker stack deploy ... airlock-swarm`: its networks and volumes are prefixed with it (compose uses `airlock`). */
export const SWARM_STACK_NAME = 'airlock-swarm';
/** A service whose state lives in the stores (or that keeps none but its workload key) runs this many replicas. */
export const SCALED_OUT_REPLICAS = 2;
/** Where Swarm mounts a service's secrets (tmpfs, owned by the service's user, mode 0400). */
export const SWARM_SECRETS_DIR = '/run/secrets';
/**
 * Swarm starts every task at once (no depends_on), so a start on a loaded node takes longer than compose's
 * ordered one: a task is not killed for failing its healthcheck before this, and each check may take this long.
 */
export const SWARM_HEALTHCHECK = { timeoutSeconds: 10, startPeriodSeconds: 180 } as const;
/** 0400: the only mode @airlock/service-kit and the stores accept for a credential file. */
const SECRET_FILE_MODE = 0o400;
/**
 * One scratch size for every container (TMPFS_OPTIONS says 16m; Swarm's tmpfs takes bytes). The engine mounts
 * it nosuid,nodev,noexec by itself (measured in /proc/mounts of a task).
 */
const TMPFS_SIZE_BYTES = 16 * 1024 * 1024;

/**
 * What compose applies and Swarm 20.10 does not (measured with `docker inspect` of the tasks' containers,
 * docs/adr/0012): the stack file leaves them out rather than let `docker stack deploy` drop them silently.
 */
export const SWARM_NOT_APPLIED: readonly { readonly option: string; readonly why: string }[] = [
  {
    option: 'security_opt: no-new-privileges',
    why: 'not a service option; set "no-new-privileges": true in every node\'s /etc/docker/daemon.json',
  },
  {
    option: 'pids_limit',
    why: 'not in compose format 3.8 (the API has it from 1.41, the stack loader does not)',
  },
  { option: 'ports host_ip 127.0.0.1', why: 'a published port binds every address of the node' },
  {
    option: 'depends_on',
    why: 'ignored: a task that starts first is not ready (and restarted) until its callees answer',
  },
  { option: 'memswap_limit', why: 'not settable: the engine sets swap to twice the memory limit' },
];

export interface SwarmStackOptions {
  /** IPsec between nodes on every overlay (`driver_opts: {encrypted: ""}`); off by default (kernel modules, cost). */
  readonly encryptedOverlays?: boolean;
  /**
   * `cluster` (the default): the gateway is published in host mode on each node and runs at most one task per
   * node (a host-mode port can be bound once per node). `single-node`: nothing is published and both gateways
   * run on the one node; the proofs reach each task at its address on docker_gwbridge.
   */
  readonly placement?: 'cluster' | 'single-node';
}

/** The Swarm secret holding `user`'s connection URL for `store` (created by swarm-prepare, never in the file). */
export function credentialSecretOf(user: string, store: string): string {
  return `${SWARM_STACK_NAME}_${user}-${store}-url`;
}

/** Replicas per service: a topology rule, not a list (the stores and anything keeping local state: one). */
export function replicasOf(topology: Topology, service: string): number {
  if (!topology.services.some((candidate) => candidate.name === service)) return 1;
  const usesStore = storeInstancesOf(topology).some((instance) => instance.users.includes(service));
  const profile = profileOf(topology, service);
  const onlyWorkloadKey = serviceNamed(topology, service).container?.persistsOnlyWorkloadKey === true;
  return usesStore || !profile.persistsData || onlyWorkloadKey ? SCALED_OUT_REPLICAS : 1;
}

const HEADER = [
  ' GENERATED from @airlock/topology by infra/src/render-swarm-stack.ts: do not edit.',
  ' Regenerate with `pnpm generate`; `pnpm check` fails when this file drifts from the topology.',
  ' Up: ./airlock swarm:up    Down: ./airlock swarm:down    (docs/adr/0012-docker-swarm.md)',
].join('\n');

export function renderSwarmStack(topology: Topology, stack: Stack, options: SwarmStackOptions = {}): string {
  const services = [...stack.stores, ...stack.services];
  const credentials = credentialMountsOf(topology, stack);
  const file = {
    version: SWARM_FILE_VERSION,
    services: Object.fromEntries(
      services.map((service) => [service.name, swarmServiceOf(topology, service, credentials, options)]),
    ),
    networks: Object.fromEntries(
      stack.networks.map((network) => [
        network.name,
        {
          driver: 'overlay',
          ...(network.internal ? { internal: true } : {}),
          ...(options.encryptedOverlays === true ? { driver_opts: { encrypted: '' } } : {}),
        },
      ]),
    ),
    // The store inits write the stores' volumes before the stack is deployed (swarm-prepare); the credential
    // volumes they also write are read into Swarm secrets, so no service mounts them.
    volumes: Object.fromEntries(
      stack.volumes
        .filter((volume) => volume.purpose !== 'store-credential')
        .map((volume) => [volume.name, {}]),
    ),
    secrets: Object.fromEntries(
      [...credentials.values()].flat().map((mount) => [mount.secret, { external: true }]),
    ),
  };
  const document = new Document(file);
  document.commentBefore = HEADER;
  return document.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

interface CredentialMount {
  readonly volume: string;
  /** Where compose's credential volume puts the file, which the service's `*_FILE` variable names. */
  readonly composePath: string;
  readonly secret: string;
  /** The file name under /run/secrets. */
  readonly target: string;
}

/** Per service, its store credentials as secrets instead of the credential volumes compose mounts. */
export function credentialMountsOf(topology: Topology, stack: Stack): Map<string, CredentialMount[]> {
  const mounts = new Map<string, CredentialMount[]>();
  for (const instance of storeInstancesOf(topology)) {
    for (const user of instance.users) {
      const secret = credentialSecretOf(user, instance.store);
      const list = mounts.get(user) ?? [];
      list.push({
        volume: credentialVolumeOf(user, instance),
        composePath: `${CREDENTIALS_ROOT}/${instance.store}/${CREDENTIAL_FILE}`,
        secret,
        target: secret,
      });
      mounts.set(user, list);
    }
  }
  for (const user of mounts.keys()) {
    if (!stack.services.some((service) => service.name === user)) mounts.delete(user);
  }
  return mounts;
}

function swarmServiceOf(
  topology: Topology,
  service: StackService,
  credentials: ReadonlyMap<string, readonly CredentialMount[]>,
  options: SwarmStackOptions,
): Record<string, unknown> {
  const secrets = credentials.get(service.name) ?? [];
  const publish = options.placement === 'single-node' ? undefined : service.publish;
  const published = publish !== undefined;
  const volumeMounts = service.mounts.filter(
    (mount) => !secrets.some((secret) => secret.volume === mount.volume),
  );
  return {
    image: service.image,
    command: [...service.command],
    user: service.user,
    read_only: service.readOnlyRootFilesystem,
    cap_drop: [...service.capDrop],
    logging: {
      driver: service.logging.driver,
      options: { 'max-size': service.logging.maxSize, 'max-file': service.logging.maxFiles },
    },
    networks: [...service.networks],
    ...(publish !== undefined
      ? {
          ports: [
            {
              target: publish.containerPort,
              published: publish.hostPort,
              protocol: 'tcp',
              mode: 'host',
            },
          ],
        }
      : {}),
    environment: {
      ...withSecretFiles(service.environment, secrets),
      ...(isSandboxed(service.name) ? { MALLOC_ARENA_MAX: SANDBOX_MALLOC_ARENA_MAX } : {}),
    },
    volumes: [
      ...volumeMounts.map(volumeOf),
      { type: 'tmpfs', target: service.tmpfs.path, tmpfs: { size: TMPFS_SIZE_BYTES } },
    ],
    ...(secrets.length === 0
      ? {}
      : {
          secrets: secrets.map((secret) => ({
            source: secret.secret,
            target: secret.target,
            uid: uidOf(service.user),
            gid: gidOf(service.user),
            mode: SECRET_FILE_MODE,
          })),
        }),
    healthcheck: {
      test: ['CMD', ...service.healthcheck.test],
      interval: `${service.healthcheck.intervalSeconds}s`,
      timeout: `${SWARM_HEALTHCHECK.timeoutSeconds}s`,
      retries: service.healthcheck.retries,
      start_period: `${SWARM_HEALTHCHECK.startPeriodSeconds}s`,
    },
    labels: { 'org.airlock.service': service.name },
    deploy: deployOf(topology, service, published),
  };
}

function deployOf(topology: Topology, service: StackService, published: boolean): Record<string, unknown> {
  const replicas = replicasOf(topology, service.name);
  // A second task beside the running one only where there are replicas anyway: never two PostgreSQL servers on
  // one data directory, and a host-mode port can be bound by one task per node only.
  const startFirst = replicas > 1 && !published;
  return {
    replicas,
    // Swarm's virtual IP (IPVS) does not answer in this kernel; DNS round-robin over the tasks' addresses does.
    endpoint_mode: 'dnsrr',
    // A host-mode port is bound once per node: one gateway task per node, a load balancer in front of the nodes.
    ...(published ? { placement: { max_replicas_per_node: 1 } } : {}),
    resources: { limits: { memory: `${service.memoryMb}M` } },
    restart_policy: { condition: 'any', delay: '5s' },
    // One task at a time; where replicas allow, the new one healthy before the old one stops.
    update_config: {
      parallelism: 1,
      order: startFirst ? 'start-first' : 'stop-first',
      failure_action: 'rollback',
    },
    labels: { 'org.airlock.service': service.name },
  };
}

/** The service's environment with each credential file variable pointing at its secret instead of a volume. */
function withSecretFiles(
  environment: Readonly<Record<string, string>>,
  secrets: readonly CredentialMount[],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    const secret = secrets.find((candidate) => candidate.composePath === value);
    result[name] = secret === undefined ? value : `${SWARM_SECRETS_DIR}/${secret.target}`;
  }
  return result;
}

function volumeOf(mount: VolumeMount): Record<string, unknown> {
  return {
    type: 'volume',
    source: mount.volume,
    target: mount.target,
    read_only: mount.readOnly,
    ...(mount.readOnly ? { volume: { nocopy: true } } : {}),
  };
}

function uidOf(user: string): string {
  return user.split(':')[0] ?? user;
}

function gidOf(user: string): string {
  return user.split(':')[1] ?? uidOf(user);
}

/** `docker run` arguments of a store's init, run by swarm-prepare before the stack is deployed (no network). */
export function oneShotRunArguments(oneShot: StackOneShot): string[] {
  return [
    'run',
    '--rm',
    '--network',
    'none',
    '--user',
    oneShot.user,
    '--read-only',
    '--tmpfs',
    `${oneShot.tmpfs.path}:${oneShot.tmpfs.options}`,
    ...oneShot.capDrop.flatMap((cap) => ['--cap-drop', cap]),
    ...oneShot.securityOpt.flatMap((opt) => ['--security-opt', opt]),
    '--memory',
    `${oneShot.memoryMb}m`,
    '--pids-limit',
    String(oneShot.pidsLimit),
    ...oneShot.mounts.flatMap((mount) => [
      '--mount',
      `type=volume,source=${SWARM_STACK_NAME}_${mount.volume},target=${mount.target}${mount.readOnly ? ',readonly' : ''}`,
    ]),
    oneShot.image,
    ...oneShot.command,
  ];
}
