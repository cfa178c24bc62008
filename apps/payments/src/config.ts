// Reads payments' environment once: the variables the topology decides (service-kit's parseServiceConfig) and
// where its database lives.
import { join } from 'node:path';

import { parseServiceConfig } from '@airlock/service-kit';
import type { Env, ServiceBaseConfig } from '@airlock/service-kit';

import { service } from './service.js';

export interface PaymentsConfig extends ServiceBaseConfig {
  /** The SQLite file, used when no AIRLOCK_DATABASE_URL selects PostgreSQL. */
  readonly databaseFile: string;
}

export function parsePaymentsConfig(env: Env): PaymentsConfig {
  return parseServiceConfig(
    {
      service: service.name,
      variables: {},
      build: (base) => ({ ...base, databaseFile: join(base.dataDir, service.name, 'payments.db') }),
    },
    env,
  );
}
