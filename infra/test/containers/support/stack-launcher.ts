// Starts the zoned stack for a proof with testcontainers, from the same derivation as the compose file
// (stackOf): one network per zone, each service on exactly its networks with its hardening, volumes and
// healthcheck. Each proof file gets a fresh stack (beforeAll) and removes it (afterAll), so that a proof that
// stops auth or rotates keys leaves nothing behind for the next. Everything carries the label
// airlock.test=true: the suite's globalSetup and globalTeardown remove whatever a crashed run left.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { airlockTopology } from '@airlock/topology';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { stackOf, type Stack, type StackOneShot, type StackService } from '../../../src/stack.js';

export const TEST_LABEL = 'airlock.test';
export const RUN_LABEL = 'airlock.test.run';
const MIB = 1024 * 1024;
const STARTUP_TIMEOUT_MS = 120_000;
const LOG_TAIL_LINES = 30;

type RuntimeClient = Awaited<ReturnType<typeof getContainerRuntimeClient>>;
type Dockerode = RuntimeClient['container']['dockerode'];

export interface LaunchedNetwork {
  readonly zone: string;
  readonly name: string;
  readonly id: string;
  readonly internal: boolean;
  /** The host's address on this network (the bridge's gateway). */
  readonly gateway: string;
  /** The network's IPv4 subnet (CIDR). */
  readonly subnet: string;
  /** The host-side bridge interface, where the suite can watch the zone's traffic. */
  readonly bridge: string;
}

export interface LaunchedService {
  readonly name: string;
  readonly containerId: string;
  readonly containerName: string;
  readonly port: number;
  /** The container's address on each of its networks, by zone. */
  readonly addresses: Readonly<Record<string, string>>;
}

export interface LaunchedStack {
  readonly runId: string;
  readonly startedAt: string;
  readonly publicOrigin: string;
  readonly publishedPort: number;
  /** Generated for this run, held in memory only. */
  readonly demoPassword: string;
  readonly networks: Readonly<Record<string, LaunchedNetwork>>;
  readonly services: Readonly<Record<string, LaunchedService>>;
  /** The stores' instances (PostgreSQL, Redis): no Node inside, so probes run from the services. */
  readonly stores: Readonly<Record<string, LaunchedService>>;
  readonly volumes: readonly string[];
  /** Environment the suite gave services beyond the compose file's (short cache TTLs, higher rate limits). */
  readonly environmentOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * What the suite changes from the compose file, and why: revocation and key promotion must be observable within
 * seconds, not minutes, and the suite's bursts of requests all come from one address.
 */
export const SUITE_ENVIRONMENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  auth: { AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS: '0' },
  gateway: {
    AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: '2',
    AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS: '1',
    AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '1000',
    AIRLOCK_GATEWAY_RATE_IP_BURST: '2000',
    AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: '1000',
    AIRLOCK_GATEWAY_RATE_TOKEN_BURST: '2000',
  },
};

export function suiteStackOf(publishedPort: number): Stack {
  return stackOf(airlockTopology, {
    publish: { address: '127.0.0.1', port: publishedPort },
    environment: SUITE_ENVIRONMENT,
  });
}

class ZonedServiceContainer extends GenericContainer {
  /** The end of the container's output, kept while it starts, to explain a start that fails. */
  readonly logTail: string[] = [];
  readonly #extraNetworks: readonly string[];
  readonly #alias: string;
  readonly #dockerode: Dockerode;

  constructor(
    spec: StackService,
    options: {
      readonly containerName: string;
      readonly labels: Record<string, string>;
      readonly networkName: (zone: string) => string;
      readonly volumeName: (volume: string) => string;
      readonly environment: Record<string, string>;
      readonly dockerode: Dockerode;
    },
  ) {
    super(spec.image);
    const [first, ...rest] = spec.networks.map(options.networkName);
    if (first === undefined) throw new Error(`${spec.name} has no network`);
    this.#extraNetworks = rest;
    this.#alias = spec.name;
    this.#dockerode = options.dockerode;
    this.withName(options.containerName)
      .withCommand([...spec.command])
      .withLabels({ ...options.labels, 'org.airlock.service': spec.name })
      .withUser(spec.user)
      .withEnvironment(options.environment)
      .withTmpFs({ [spec.tmpfs.path]: spec.tmpfs.options })
      .withDroppedCapabilities(...spec.capDrop)
      .withSecurityOpt(...spec.securityOpt)
      .withNetworkMode(first)
      .withHealthCheck({
        test: ['CMD', ...spec.healthcheck.test],
        interval: spec.healthcheck.intervalSeconds * 1000,
        timeout: spec.healthcheck.timeoutSeconds * 1000,
        retries: spec.healthcheck.retries,
        startPeriod: spec.healthcheck.startPeriodSeconds * 1000,
      })
      .withWaitStrategy(Wait.forHealthCheck())
      .withLogConsumer((stream) => {
        stream.on('data', (chunk: Buffer | string) => {
          this.logTail.push(
            ...chunk
              .toString()
              .split('\n')
              .filter((line) => line.trim() !== ''),
          );
          this.logTail.splice(0, Math.max(0, this.logTail.length - LOG_TAIL_LINES));
        });
      })
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
    // What GenericContainer has no builder for: the rest of the hardening, the volumes and the port.
    Object.assign(this.hostConfig, {
      ReadonlyRootfs: spec.readOnlyRootFilesystem,
      Memory: spec.memoryMb * MIB,
      MemorySwap: spec.memoryMb * MIB,
      PidsLimit: spec.pidsLimit,
      LogConfig: {
        Type: spec.logging.driver,
        Config: { 'max-size': spec.logging.maxSize, 'max-file': spec.logging.maxFiles },
      },
      Mounts: spec.mounts.map((mount) => ({
        Type: 'volume',
        Source: options.volumeName(mount.volume),
        Target: mount.target,
        ReadOnly: mount.readOnly,
        VolumeOptions: { NoCopy: mount.readOnly },
      })),
      ...(spec.publish === undefined
        ? {}
        : {
            PortBindings: {
              [`${spec.publish.containerPort}/tcp`]: [
                { HostIp: spec.publish.address, HostPort: String(spec.publish.hostPort) },
              ],
            },
          }),
    });
    Object.assign(this.createOpts, {
      ...(spec.publish === undefined ? {} : { ExposedPorts: { [`${spec.publish.containerPort}/tcp`]: {} } }),
      // The service's name is its address on every network it joins, as under compose.
      NetworkingConfig: { EndpointsConfig: { [first]: { Aliases: [spec.name] } } },
    });
  }

  // Joins the other networks before the process starts, so that it never runs half-connected.
  protected override async containerCreated(containerId: string): Promise<void> {
    for (const network of this.#extraNetworks) {
      await this.#dockerode
        .getNetwork(network)
        .connect({ Container: containerId, EndpointConfig: { Aliases: [this.#alias] } });
    }
  }
}

export async function launchStack(): Promise<LaunchedStack> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const client = await getContainerRuntimeClient();
  const dockerode = client.container.dockerode;

  const runId = randomBytes(4).toString('hex');
  const prefix = `airlock-test-${runId}`;
  const labels = { [TEST_LABEL]: 'true', [RUN_LABEL]: runId };
  const publishedPort = await freeLoopbackPort();
  const stack = suiteStackOf(publishedPort);
  const demoPassword = randomBytes(18).toString('base64url');
  const networkName = (zone: string): string => `${prefix}-${zone}`;
  const volumeName = (volume: string): string => `${prefix}-${volume}`;

  try {
    const networks: Record<string, LaunchedNetwork> = {};
    for (const network of stack.networks) {
      const created = await client.network.create({
        Name: networkName(network.name),
        Driver: 'bridge',
        Internal: network.internal,
        CheckDuplicate: true,
        Labels: labels,
      });
      const inspected = (await created.inspect()) as {
        Id: string;
        IPAM: { Config?: { Gateway?: string; Subnet?: string }[] };
      };
      networks[network.name] = {
        zone: network.name,
        name: networkName(network.name),
        id: inspected.Id,
        internal: network.internal,
        gateway: inspected.IPAM.Config?.[0]?.Gateway ?? '',
        subnet: inspected.IPAM.Config?.[0]?.Subnet ?? '',
        bridge: `br-${inspected.Id.slice(0, 12)}`,
      };
    }
    for (const volume of stack.volumes) {
      await dockerode.createVolume({ Name: volumeName(volume.name), Labels: labels });
    }

    // The stores' inits first (each creates its store's files and its users' credentials), then the stores.
    await Promise.all(
      stack.oneShots.map((oneShot) =>
        runOneShot(dockerode, oneShot, `${prefix}-${oneShot.name}`, labels, volumeName),
      ),
    );
    const stores: Record<string, LaunchedService> = {};
    const services: Record<string, LaunchedService> = {};
    const pending = [...stack.stores, ...stack.services];
    const isStore = (spec: StackService): boolean => stack.stores.includes(spec);
    // In waves: a container starts once everything it waits for is healthy; each wave starts in parallel.
    while (pending.length > 0) {
      const wave = pending.filter((spec) =>
        spec.dependsOnHealthy.every((dependency) => dependency in services || dependency in stores),
      );
      if (wave.length === 0) throw new Error('services wait for each other in a cycle');
      await Promise.all(
        wave.map(async (spec) => {
          pending.splice(pending.indexOf(spec), 1);
          const containerName = `${prefix}-${spec.name}`;
          const environment: Record<string, string> = { ...spec.environment };
          if (spec.passThroughEnvironment.includes('AIRLOCK_DEMO_PASSWORD')) {
            environment.AIRLOCK_DEMO_PASSWORD = demoPassword;
          }
          const container = await startOrExplain(
            new ZonedServiceContainer(spec, {
              containerName,
              labels,
              networkName,
              volumeName,
              environment,
              dockerode,
            }),
            containerName,
          );
          const inspected = await dockerode.getContainer(container.getId()).inspect();
          const addresses = Object.fromEntries(
            spec.networks.map((zone) => [
              zone,
              inspected.NetworkSettings.Networks[networkName(zone)]?.IPAddress ?? '',
            ]),
          );
          (isStore(spec) ? stores : services)[spec.name] = {
            name: spec.name,
            containerId: container.getId(),
            containerName,
            port: spec.port,
            addresses,
          };
        }),
      );
    }

    return {
      runId,
      startedAt: new Date().toISOString(),
      publicOrigin: `http://127.0.0.1:${publishedPort}`,
      publishedPort,
      demoPassword,
      networks,
      services,
      stores,
      volumes: stack.volumes.map((volume) => volumeName(volume.name)),
      environmentOverrides: SUITE_ENVIRONMENT,
    };
  } catch (error) {
    await removeRun(runId);
    throw error;
  }
}

/** Runs a store's init to completion, as compose does before the store; a non-zero exit fails the launch. */
async function runOneShot(
  dockerode: Dockerode,
  oneShot: StackOneShot,
  containerName: string,
  labels: Record<string, string>,
  volumeName: (volume: string) => string,
): Promise<void> {
  const container = await dockerode.createContainer({
    name: containerName,
    Image: oneShot.image,
    Cmd: [...oneShot.command],
    User: oneShot.user,
    Labels: { ...labels, 'org.airlock.one-shot': oneShot.name },
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: oneShot.readOnlyRootFilesystem,
      CapDrop: [...oneShot.capDrop],
      SecurityOpt: [...oneShot.securityOpt],
      Memory: oneShot.memoryMb * MIB,
      MemorySwap: oneShot.memoryMb * MIB,
      PidsLimit: oneShot.pidsLimit,
      Tmpfs: { [oneShot.tmpfs.path]: oneShot.tmpfs.options },
      Mounts: oneShot.mounts.map((mount) => ({
        Type: 'volume' as const,
        Source: volumeName(mount.volume),
        Target: mount.target,
        ReadOnly: mount.readOnly,
      })),
    },
  });
  await container.start();
  const { StatusCode: status } = (await container.wait()) as { StatusCode: number };
  if (status !== 0) {
    const logs = demultiplex(await container.logs({ stdout: true, stderr: true }));
    throw new Error(
      `${containerName} exited ${status}\n--- its output ---\n${logs.split('\n').slice(-LOG_TAIL_LINES).join('\n')}`,
    );
  }
}

/** Starts a container; when it does not become healthy, the error carries the end of its output. */
async function startOrExplain(
  container: ZonedServiceContainer,
  containerName: string,
): Promise<StartedTestContainer> {
  try {
    return await container.start();
  } catch (error) {
    const logs = container.logTail.length === 0 ? '(no output)' : container.logTail.join('\n');
    throw new Error(
      `${containerName} did not become healthy: ${String(error)}\n--- its last output ---\n${logs}`,
      {
        cause: error,
      },
    );
  }
}

/** Removes every container, network and volume of one run (afterAll), whatever state they are in. */
export async function removeRun(runId: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  const dockerode = client.container.dockerode;
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await dockerode.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((container) =>
      dockerode
        .getContainer(container.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await dockerode.listNetworks({ filters });
  await Promise.all(
    networks.map((network) =>
      dockerode
        .getNetwork(network.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  const { Volumes: volumes } = await dockerode.listVolumes({ filters });
  await Promise.all(
    volumes.map((volume) =>
      dockerode
        .getVolume(volume.Name)
        .remove()
        .catch(() => undefined),
    ),
  );
}

/** Docker's log stream multiplexes stdout and stderr in 8-byte-headed frames (no TTY); this joins them. */
export function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** How the suite names a zone's network and a stack volume in Docker, for comparing with the spec. */
export function namingOf(stack: LaunchedStack): {
  network: (zone: string) => string;
  volume: (volume: string) => string;
} {
  const prefix = `airlock-test-${stack.runId}`;
  return { network: (zone) => `${prefix}-${zone}`, volume: (volume) => `${prefix}-${volume}` };
}
