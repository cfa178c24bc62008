// Derives the containerised stack from the topology: one network per zone, each service on exactly the
// networks the topology gives it, its image, environment, volumes, limits and hardening. The compose file and
// the container suite's launcher are both renderings of this, so they cannot disagree about a boundary.
import {
  edgeFrontEndsOf,
  issuerServiceOf,
  jwksProviderOf,
  networksOf,
  serviceNamed,
  storeInstancesOf,
  type StoreInstance,
  type Topology,
} from '@airlock/topology';
import {
  CAP_DROP,
  CONTAINER_USER,
  LOG_MAX_FILES,
  LOG_MAX_SIZE,
  SECURITY_OPT,
  TMPFS_OPTIONS,
  TMPFS_PATH,
} from './hardening.js';

/** Each service with a data volume has it mounted here, and finds it at `$AIRLOCK_DATA_DIR/<service>`. */
export const DATA_ROOT = '/data';
/**
 * Each service that authenticates to another as itself publishes its workload public key under
 * `$AIRLOCK_WORKLOAD_KEYS_DIR/<service>/` (a volume of its own), which the callee mounts read-only. The private
 * key stays in the service's data volume, which nobody else mounts.
 */
export const WORKLOAD_KEYS_ROOT = '/workload-keys';
/** Inside a container a service must listen on every interface of its networks, not on loopback. */
export const CONTAINER_LISTEN_HOST = '0.0.0.0';
/** Each image's working directory holds the service; its entry point is Node (infra/docker/Dockerfile). */
export const SERVICE_ENTRY = 'dist/index.js';
/** Node in every Airlock image (distroless and airlock/node-runtime alike), the image's entry point. */
export const NODE_BINARY = '/nodejs/bin/node';
export const DEFAULT_PUBLISH_ADDRESS = '127.0.0.1';
export const DEFAULT_IMAGE_TAG = 'dev';
/**
 * Passed through from the environment of whoever starts the stack, never written into the compose file:
 * unset, auth generates the demo password into its data volume at first start.
 */
export const ISSUER_PASS_THROUGH_ENVIRONMENT: readonly string[] = ['AIRLOCK_DEMO_PASSWORD'];

export interface ContainerProfile {
  /** Whether the service persists anything (keys, database): it then gets a data volume, nothing else does. */
  readonly persistsData: boolean;
  readonly memoryMb: number;
  readonly pidsLimit: number;
}

/** What a service gets unless it says otherwise: nothing persistent, modest limits. */
export const DEFAULT_PROFILE: ContainerProfile = { persistsData: false, memoryMb: 256, pidsLimit: 128 };

export const HEALTHCHECK_TIMING = {
  intervalSeconds: 3,
  timeoutSeconds: 3,
  retries: 10,
  startPeriodSeconds: 30,
} as const;

export interface StackOptions {
  /** Host address and port the gateway is published on; default 127.0.0.1:<gateway port>. */
  readonly publish?: { readonly address: string; readonly port: number };
  readonly imageTag?: string;
  /** Added to (or replacing) a service's environment, e.g. the suite's short cache TTLs. */
  readonly environment?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Leave the topology's stores out: every service keeps its embedded state (SQLite, in-memory limits). The
   * Kubernetes manifests use this; their stores are out of scope (docs/kubernetes.md).
   */
  readonly embeddedState?: boolean;
}

export interface StackNetwork {
  readonly name: string;
  readonly internal: boolean;
  readonly members: readonly string[];
}

export interface StackVolume {
  readonly name: string;
  /** The only service that mounts it read-write. */
  readonly owner: string;
  /**
   * `store`: a store instance's own files (cluster, ACL file, superuser secret), mounted by it and its init;
   * `store-credential`: one user's connection URL for one store, written by the init, read-only in the user.
   */
  readonly purpose: 'data' | 'workload-public-key' | 'store' | 'store-credential';
}

export interface VolumeMount {
  readonly volume: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface Healthcheck {
  /** Exec form: runs without a shell. */
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

/** What every container of the stack gets, services, stores and one-shots alike (hardening.ts). */
export interface ContainerHardening {
  readonly user: string;
  readonly readOnlyRootFilesystem: true;
  readonly tmpfs: { readonly path: string; readonly options: string };
  readonly capDrop: readonly string[];
  readonly securityOpt: readonly string[];
  readonly memoryMb: number;
  readonly pidsLimit: number;
}

export interface StackService extends ContainerHardening {
  readonly name: string;
  readonly image: string;
  /** The arguments to the image's Node entry point: the topology's Node flags, then the service's entry. */
  readonly command: readonly string[];
  readonly port: number;
  readonly networks: readonly string[];
  readonly publish:
    { readonly address: string; readonly hostPort: number; readonly containerPort: number } | undefined;
  /** Sorted by name. */
  readonly environment: Readonly<Record<string, string>>;
  readonly passThroughEnvironment: readonly string[];
  readonly mounts: readonly VolumeMount[];
  readonly dependsOnHealthy: readonly string[];
  /** One-shot containers that must have exited 0 first (a store's init). */
  readonly dependsOnCompleted: readonly string[];
  readonly logging: { readonly driver: 'json-file'; readonly maxSize: string; readonly maxFiles: string };
  readonly healthcheck: Healthcheck;
}

/**
 * A container that runs once and exits: a store's init, which creates its cluster or ACL file and the users'
 * credentials at first start (and does nothing when they exist). No network at all.
 */
export interface StackOneShot extends ContainerHardening {
  readonly name: string;
  readonly image: string;
  /** The arguments to its entry point: one JSON document saying what to create. */
  readonly command: readonly string[];
  readonly mounts: readonly VolumeMount[];
}

export interface Stack {
  readonly networks: readonly StackNetwork[];
  readonly volumes: readonly StackVolume[];
  /** In start order: a service comes after everything it waits for (stores and one-shots come first). */
  readonly services: readonly StackService[];
  /** The stores' instances (PostgreSQL, Redis): same hardening, no Node, no shell, data networks only. */
  readonly stores: readonly StackService[];
  readonly oneShots: readonly StackOneShot[];
}

export function imageOf(service: string, tag: string = DEFAULT_IMAGE_TAG): string {
  return `airlock/${service}:${tag}`;
}

/** `image-processor` -> `IMAGE_PROCESSOR`, the form of every AIRLOCK_<SERVICE>_* variable. */
export function envNameOf(service: string): string {
  return service.toUpperCase().replaceAll('-', '_');
}

/** The default profile with the departures the service's topology entry declares (`container`). */
export function profileOf(topology: Topology, service: string): ContainerProfile {
  return { ...DEFAULT_PROFILE, ...serviceNamed(topology, service).container };
}

export function dataVolumeOf(service: string): string {
  return `${service}-data`;
}

export function workloadKeyVolumeOf(service: string): string {
  return `${service}-workload-key`;
}

/**
 * Services that authenticate as themselves (private_key_jwt) to `callee`, per the topology: its `service`
 * callers, and for the issuer also the edge's front ends (confidential OAuth clients, through the gateway).
 */
export function workloadCallersOf(topology: Topology, callee: string): string[] {
  const callers = topology.calls
    .filter((call) => call.to === callee && call.as === 'service')
    .map((call) => call.from);
  const frontEnds =
    callee === issuerServiceOf(topology).name ? edgeFrontEndsOf(topology).map((service) => service.name) : [];
  return [...new Set([...callers, ...frontEnds])];
}

export function stackOf(topology: Topology, options: StackOptions = {}): Stack {
  const issuer = issuerServiceOf(topology).name;
  for (const name of Object.keys(options.environment ?? {})) serviceNamed(topology, name);
  const instances = options.embeddedState === true ? [] : storeInstancesOf(topology);
  const networks = [
    ...networksOf(topology).map((network) => ({
      name: network.name,
      internal: network.internal,
      members: network.members,
    })),
    ...instances.map((instance) => ({
      name: instance.network,
      internal: true,
      members: [instance.name, ...instance.users],
    })),
  ];
  const edgeNetwork = networks.find((network) => !network.internal);
  const hasWorkloadKey = (service: string): boolean =>
    topology.services.some((callee) => workloadCallersOf(topology, callee.name).includes(service));

  const volumes: StackVolume[] = [
    ...instances.flatMap((instance): StackVolume[] => [
      { name: storeVolumeOf(instance), owner: instance.name, purpose: 'store' },
      ...instance.users.map((user) => ({
        name: credentialVolumeOf(user, instance),
        owner: instance.name,
        purpose: 'store-credential' as const,
      })),
    ]),
    ...topology.services.flatMap((service) => [
      ...(profileOf(topology, service.name).persistsData
        ? [{ name: dataVolumeOf(service.name), owner: service.name, purpose: 'data' as const }]
        : []),
      ...(hasWorkloadKey(service.name)
        ? [
            {
              name: workloadKeyVolumeOf(service.name),
              owner: service.name,
              purpose: 'workload-public-key' as const,
            },
          ]
        : []),
    ]),
  ];

  const services = topology.services.map((service): StackService => {
    const usedStores = instances.filter((instance) => instance.users.includes(service.name));
    const profile = profileOf(topology, service.name);
    const published = edgeNetwork?.members.includes(service.name) === true;
    const mounts: VolumeMount[] = [
      ...(profile.persistsData
        ? [{ volume: dataVolumeOf(service.name), target: `${DATA_ROOT}/${service.name}`, readOnly: false }]
        : []),
      ...(hasWorkloadKey(service.name)
        ? [
            {
              volume: workloadKeyVolumeOf(service.name),
              target: `${WORKLOAD_KEYS_ROOT}/${service.name}`,
              readOnly: false,
            },
          ]
        : []),
      ...workloadCallersOf(topology, service.name).map((caller) => ({
        volume: workloadKeyVolumeOf(caller),
        target: `${WORKLOAD_KEYS_ROOT}/${caller}`,
        readOnly: true,
      })),
      ...usedStores.map((instance) => ({
        volume: credentialVolumeOf(service.name, instance),
        target: `${CREDENTIALS_ROOT}/${instance.store}`,
        readOnly: true,
      })),
    ];
    return {
      name: service.name,
      image: imageOf(service.name, options.imageTag),
      command: [...(service.container?.nodeFlags ?? []), SERVICE_ENTRY],
      port: service.port,
      networks: networks
        .filter((network) => network.members.includes(service.name))
        .map((network) => network.name),
      publish: published
        ? {
            address: options.publish?.address ?? DEFAULT_PUBLISH_ADDRESS,
            hostPort: options.publish?.port ?? service.port,
            containerPort: service.port,
          }
        : undefined,
      environment: sortedRecord({
        ...environmentOf(topology, service.name, mounts, publicOriginOf(topology, options)),
        ...Object.fromEntries(
          usedStores.map((instance) => [
            STORE_ENGINES[instance.engine].urlFileVariable,
            `${CREDENTIALS_ROOT}/${instance.store}/${CREDENTIAL_FILE}`,
          ]),
        ),
        ...options.environment?.[service.name],
      }),
      passThroughEnvironment: service.name === issuer ? ISSUER_PASS_THROUGH_ENVIRONMENT : [],
      mounts,
      dependsOnHealthy: [
        ...usedStores.map((instance) => instance.name),
        ...waitsForOf(topology, service.name, issuer),
      ],
      dependsOnCompleted: [],
      ...hardeningOf(),
      memoryMb: profile.memoryMb,
      pidsLimit: profile.pidsLimit,
      logging: { driver: 'json-file', maxSize: LOG_MAX_SIZE, maxFiles: LOG_MAX_FILES },
      healthcheck: { test: healthcheckCommand(service.port), ...HEALTHCHECK_TIMING },
    };
  });

  const stores = instances.map((instance) => storeServiceOf(instance, options.imageTag));
  const ready = stores.map((store) => store.name);
  return {
    networks,
    volumes,
    services: inStartOrder(services, ready),
    stores,
    oneShots: instances.map((instance) => storeInitOf(instance, options.imageTag)),
  };
}

/** Each store instance's own files live here, in its store and its init. */
export const STORE_ROOT = '/store';
/** A store user finds its credential for `<store>` at `<root>/<store>/url`; the init writes them under `<root>/<user>`. */
export const CREDENTIALS_ROOT = '/credentials';
/** The file in a credential volume: the whole connection URL (password included), mode 0400. */
export const CREDENTIAL_FILE = 'url';
/** The one image of every store's init (Node, and for PostgreSQL initdb with the shell it runs the backend with). */
export const STORE_INIT_IMAGE = 'store-init';
const STORE_INIT_SUFFIX = '-init';

interface StoreEngineProfile {
  readonly image: string;
  /** The variable a user reads its connection URL's file from (service-kit's `<VARIABLE>_FILE`). */
  readonly urlFileVariable: string;
  /** Arguments to the image's entry point (postgres / redis-server). */
  readonly command: (instance: StoreInstance) => string[];
  /** Exec form, with the engine's own client; no shell and no Node in these images. */
  readonly healthcheck: (instance: StoreInstance) => string[];
  /** Whether the store writes its volume (PostgreSQL's cluster) or only reads it (Redis' ACL file). */
  readonly writesVolume: boolean;
  readonly memoryMb: number;
  readonly pidsLimit: number;
}

/** Where the Debian packages and the official images alike put PostgreSQL 15's programs. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export const STORE_ENGINES: Readonly<Record<StoreInstance['engine'], StoreEngineProfile>> = {
  postgresql: {
    image: 'postgres',
    urlFileVariable: 'AIRLOCK_DATABASE_URL_FILE',
    // Everything else (listen address, no Unix socket, small buffers, who may log in) is in the cluster's
    // postgresql.conf and pg_hba.conf, written by the init.
    command: () => ['-D', `${STORE_ROOT}/pgdata`],
    healthcheck: (instance) => [
      `${POSTGRES_BIN}/pg_isready`,
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      String(instance.port),
    ],
    writesVolume: true,
    memoryMb: 128,
    pidsLimit: 64,
  },
  redis: {
    image: 'redis',
    urlFileVariable: 'AIRLOCK_REDIS_URL_FILE',
    // No persistence (limits and revocation messages are short-lived by design), so the root stays read-only and
    // the volume holds the ACL file alone; a full Redis refuses writes, and its users then fail closed.
    command: (instance) => [
      '--port',
      String(instance.port),
      '--bind',
      '0.0.0.0',
      '--protected-mode',
      'no',
      '--aclfile',
      `${STORE_ROOT}/users.acl`,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      TMPFS_PATH,
      '--maxmemory',
      '32mb',
      '--maxmemory-policy',
      'noeviction',
    ],
    // Answers (NOAUTH) once it listens: the default user is off. redis-cli exits 1 when it cannot connect.
    healthcheck: (instance) => [
      '/usr/local/bin/redis-cli',
      '-h',
      '127.0.0.1',
      '-p',
      String(instance.port),
      'ping',
    ],
    writesVolume: false,
    memoryMb: 64,
    pidsLimit: 32,
  },
};

function hardeningOf(): Omit<ContainerHardening, 'memoryMb' | 'pidsLimit'> {
  return {
    user: CONTAINER_USER,
    readOnlyRootFilesystem: true,
    tmpfs: { path: TMPFS_PATH, options: TMPFS_OPTIONS },
    capDrop: CAP_DROP,
    securityOpt: SECURITY_OPT,
  };
}

export function storeVolumeOf(instance: StoreInstance): string {
  return `${instance.name}-data`;
}

export function credentialVolumeOf(user: string, instance: StoreInstance): string {
  return `${user}-${instance.store}-credential`;
}

export function storeInitNameOf(instance: StoreInstance): string {
  return `${instance.name}${STORE_INIT_SUFFIX}`;
}

function storeServiceOf(instance: StoreInstance, tag?: string): StackService {
  const engine = STORE_ENGINES[instance.engine];
  return {
    name: instance.name,
    image: imageOf(engine.image, tag),
    command: engine.command(instance),
    port: instance.port,
    networks: [instance.network],
    publish: undefined,
    environment: {},
    passThroughEnvironment: [],
    mounts: [{ volume: storeVolumeOf(instance), target: STORE_ROOT, readOnly: !engine.writesVolume }],
    dependsOnHealthy: [],
    dependsOnCompleted: [storeInitNameOf(instance)],
    ...hardeningOf(),
    memoryMb: engine.memoryMb,
    pidsLimit: engine.pidsLimit,
    logging: { driver: 'json-file', maxSize: LOG_MAX_SIZE, maxFiles: LOG_MAX_FILES },
    healthcheck: { test: engine.healthcheck(instance), ...HEALTHCHECK_TIMING },
  };
}

/** What a store's init is told: the instance, its users, and where it writes (infra/docker/store-init). */
export interface StoreInitPlan {
  readonly engine: StoreInstance['engine'];
  readonly instance: string;
  readonly port: number;
  readonly users: readonly string[];
  readonly storeDir: string;
  readonly credentialsDir: string;
  readonly credentialFile: string;
}

function storeInitOf(instance: StoreInstance, tag?: string): StackOneShot {
  const plan: StoreInitPlan = {
    engine: instance.engine,
    instance: instance.name,
    port: instance.port,
    users: instance.users,
    storeDir: STORE_ROOT,
    credentialsDir: CREDENTIALS_ROOT,
    credentialFile: CREDENTIAL_FILE,
  };
  return {
    name: storeInitNameOf(instance),
    image: imageOf(STORE_INIT_IMAGE, tag),
    command: [JSON.stringify(plan)],
    mounts: [
      { volume: storeVolumeOf(instance), target: STORE_ROOT, readOnly: false },
      ...instance.users.map((user) => ({
        volume: credentialVolumeOf(user, instance),
        target: `${CREDENTIALS_ROOT}/${user}`,
        readOnly: false,
      })),
    ],
    ...hardeningOf(),
    memoryMb: 256,
    pidsLimit: 64,
  };
}

/** The public issuer: the gateway's published origin plus auth's edge prefix. */
export function publicOriginOf(topology: Topology, options: StackOptions = {}): string {
  const gateway = topology.services.find((service) =>
    networksOf(topology).some((network) => !network.internal && network.members.includes(service.name)),
  );
  if (gateway === undefined) throw new Error('the topology publishes no service');
  return `http://${options.publish?.address ?? DEFAULT_PUBLISH_ADDRESS}:${options.publish?.port ?? gateway.port}`;
}

function environmentOf(
  topology: Topology,
  service: string,
  mounts: readonly VolumeMount[],
  publicOrigin: string,
): Record<string, string> {
  const self = serviceNamed(topology, service);
  const issuer = issuerServiceOf(topology).name;
  const issuerRoute = topology.edgeRoutes.find((route) => route.to === issuer);
  if (issuerRoute === undefined) throw new Error(`the topology routes nothing to ${issuer}`);
  const env: Record<string, string> = {
    [`AIRLOCK_${envNameOf(service)}_HOST`]: CONTAINER_LISTEN_HOST,
    [`AIRLOCK_${envNameOf(service)}_PORT`]: String(self.port),
    // The issuer is an identifier that clients see: the gateway's public origin, never an internal address.
    AIRLOCK_AUTH_ISSUER: `${publicOrigin}${issuerRoute.prefix}`,
  };
  if (mounts.some((mount) => mount.target.startsWith(`${DATA_ROOT}/`))) env.AIRLOCK_DATA_DIR = DATA_ROOT;
  if (mounts.some((mount) => mount.target.startsWith(`${WORKLOAD_KEYS_ROOT}/`))) {
    env.AIRLOCK_WORKLOAD_KEYS_DIR = WORKLOAD_KEYS_ROOT;
  }
  // A service learns the address of exactly the services it calls, by their name on the shared network.
  for (const callee of calleesOf(topology, service)) {
    const { port } = serviceNamed(topology, callee);
    env[`AIRLOCK_${envNameOf(callee)}_URL`] = `http://${callee}:${port}`;
  }
  const jwksCall = topology.calls.find(
    (call) =>
      call.from === service &&
      call.routes.some((route) => route.method === 'GET' && route.path === '/auth/jwks'),
  );
  if (jwksCall !== undefined && service !== issuer) {
    env.AIRLOCK_JWKS_URL = `http://${jwksCall.to}:${serviceNamed(topology, jwksCall.to).port}/auth/jwks`;
  }
  return env;
}

/**
 * What a service waits for before it starts: the issuer when it calls it, and whoever serves it the signing keys
 * (the edge, for the sandbox): its readiness means it can verify a token, which it cannot before they are up.
 */
function waitsForOf(topology: Topology, service: string, issuer: string): string[] {
  const waits = new Set<string>();
  if (calleesOf(topology, service).includes(issuer)) waits.add(issuer);
  const keys = jwksProviderOf(topology, service)?.name;
  if (keys !== undefined) waits.add(keys);
  waits.delete(service);
  return [...waits];
}

function calleesOf(topology: Topology, service: string): string[] {
  return [...new Set(topology.calls.filter((call) => call.from === service).map((call) => call.to))];
}

/**
 * The healthcheck runs the container's own Node (there is no shell or curl) against /readyz, which answers 200
 * only when the service can do its job (a cluster's liveness probe asks /healthz). From loopback, because the
 * gateway answers its probes only there. No `$` anywhere: compose would try to interpolate it.
 */
export function healthcheckCommand(port: number, path: '/readyz' | '/healthz' = '/readyz'): string[] {
  return [
    NODE_BINARY,
    '-e',
    `fetch('http://127.0.0.1:${port}${path}',{signal:AbortSignal.timeout(2000)})` +
      '.then((r)=>process.exit(r.status===200?0:1),()=>process.exit(1))',
  ];
}

function inStartOrder(services: readonly StackService[], ready: readonly string[]): StackService[] {
  const ordered: StackService[] = [];
  const pending = [...services];
  while (pending.length > 0) {
    const index = pending.findIndex((service) =>
      service.dependsOnHealthy.every(
        (dependency) => ready.includes(dependency) || ordered.some((done) => done.name === dependency),
      ),
    );
    if (index === -1) throw new Error('the services wait for each other in a cycle');
    ordered.push(...pending.splice(index, 1));
  }
  return ordered;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
