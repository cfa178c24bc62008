// `./airlock start --shared-state`: PostgreSQL and Redis on loopback, then the local stack with two replicas of
// every service whose state lives in them (or that holds nothing but its workload key), each on its service's one
// port. The embedded default (`./airlock start`: SQLite, in-memory limits) needs neither server.
import { airlockTopology, serviceNamed, storesOf, type StoreEngine } from '@airlock/topology';

import { startSharedStateServers, type SharedStateServers } from './shared-state-servers.js';
import {
  START_ORDER,
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
  type ServiceName,
} from './start-local-stack.js';

/** Processes per replicated service. */
export const SHARED_STATE_REPLICAS = 2;
/** The web shop keeps its users' sessions in its memory (apps/web, ADR 9), so it runs once. */
const SESSIONS_IN_MEMORY: ServiceName = 'web';

export interface SharedStateStack {
  readonly stack: LocalStack;
  readonly servers: SharedStateServers;
  /** Stops the services, then PostgreSQL and Redis (their data stays in the data folder). */
  stop(): Promise<void>;
}

export interface SharedStateStackOptions extends Omit<LocalStackOptions, 'replicas' | 'serviceEnv'> {
  /** Installs PostgreSQL and Redis when a binary is missing (scripts/ensure-system-packages.sh). */
  readonly install: () => Promise<void>;
}

/**
 * How many processes each service runs with shared state: two of each service that keeps data (in PostgreSQL,
 * or keys every replica reads from the data folder) or only a workload key; one of the rest (image-processor
 * keeps nothing a replica would share; web keeps sessions in memory).
 */
export function sharedStateReplicas(): Record<ServiceName, number> {
  return Object.fromEntries(
    START_ORDER.map((service) => {
      const persists = serviceNamed(airlockTopology, service).container?.persistsData === true;
      return [service, persists && service !== SESSIONS_IN_MEMORY ? SHARED_STATE_REPLICAS : 1];
    }),
  );
}

/** The services the topology's stores of one engine name as users, in start order: each gets a credential. */
export function storeUsersOf(engine: StoreEngine): ServiceName[] {
  const users = new Set(
    storesOf(airlockTopology)
      .filter((store) => store.engine === engine)
      .flatMap((store) => store.usedBy),
  );
  return START_ORDER.filter((service) => users.has(service));
}

export async function startSharedStateStack(options: SharedStateStackOptions): Promise<SharedStateStack> {
  const servers = await startSharedStateServers({
    dataDir: options.dataDir,
    services: storeUsersOf('postgresql'),
    install: options.install,
  });
  try {
    const stack = await startLocalStack({
      ...options,
      // As in the container stack: a service gets the URL of a store only when the topology names it a user.
      serviceEnv: serviceEnvOf(servers),
      replicas: sharedStateReplicas(),
    });
    return {
      stack,
      servers,
      async stop() {
        try {
          await stack.stop();
        } finally {
          await servers.stop();
        }
      },
    };
  } catch (error) {
    await servers.stop();
    throw error;
  }
}

function serviceEnvOf(servers: SharedStateServers): Partial<Record<ServiceName, Record<string, string>>> {
  const env: Partial<Record<ServiceName, Record<string, string>>> = {};
  for (const service of storeUsersOf('postgresql')) {
    env[service] = { ...env[service], AIRLOCK_DATABASE_URL: servers.databaseUrlOf(service) };
  }
  for (const service of storeUsersOf('redis')) {
    env[service] = { ...env[service], AIRLOCK_REDIS_URL: servers.redisUrl };
  }
  return env;
}
