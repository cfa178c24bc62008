// Reads orders' environment once: the variables the topology decides (service-kit's parseServiceConfig) and
// where its database lives. The only module that touches the environment's names.
import { join } from 'node:path';

import { parseServiceConfig, upstreamOf } from '@airlock/service-kit';
import type { Env, ServiceBaseConfig } from '@airlock/service-kit';

import { paymentsService, service } from './service.js';

export interface OrdersConfig extends ServiceBaseConfig {
  /** auth inside the identity enclave: the token exchange for payments. */
  readonly authUrl: URL;
  readonly paymentsUrl: URL;
  /** The SQLite file, used when no AIRLOCK_DATABASE_URL selects PostgreSQL. */
  readonly databaseFile: string;
}

export function parseOrdersConfig(env: Env): OrdersConfig {
  return parseServiceConfig(
    {
      service: service.name,
      variables: {},
      build: (base) => ({
        ...base,
        authUrl: upstreamOf(base, 'auth'),
        paymentsUrl: upstreamOf(base, paymentsService.name),
        databaseFile: join(base.dataDir, service.name, 'orders.db'),
      }),
    },
    env,
  );
}
