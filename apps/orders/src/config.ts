// Reads orders' environment once, with a schema; the only module that touches process.env.
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';
import { hostSchema, logLevelSchema, portSchema, urlSchema } from '@airlock/service-kit';
import type { Env } from '@airlock/service-kit';
import { airlockTopology, serviceNamed } from '@airlock/topology';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_AUTH_ISSUER = 'http://127.0.0.1:8080/auth';
export const DEFAULT_JWKS_URL = 'http://127.0.0.1:8081/auth/jwks';
export const DEFAULT_AUTH_URL = 'http://127.0.0.1:8081';
export const DEFAULT_PAYMENTS_URL = 'http://127.0.0.1:8083';
/** `.data` at the repository root (this file is apps/orders/{src,dist}/config.*). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

export const ordersConfigSchema = z
  .object({
    AIRLOCK_ORDERS_PORT: portSchema.default(serviceNamed(airlockTopology, 'orders').port),
    AIRLOCK_ORDERS_HOST: hostSchema.default(DEFAULT_HOST),
    AIRLOCK_AUTH_ISSUER: urlSchema.default(DEFAULT_AUTH_ISSUER),
    AIRLOCK_JWKS_URL: urlSchema.default(DEFAULT_JWKS_URL),
    AIRLOCK_AUTH_URL: urlSchema.default(DEFAULT_AUTH_URL),
    AIRLOCK_PAYMENTS_URL: urlSchema.default(DEFAULT_PAYMENTS_URL),
    AIRLOCK_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
    /** Where orders publishes its workload public key for auth (containers: a volume auth mounts read-only). */
    AIRLOCK_WORKLOAD_KEYS_DIR: z.string().min(1).optional(),
    LOG_LEVEL: logLevelSchema,
  })
  .transform((env) => {
    const dataDir = isAbsolute(env.AIRLOCK_DATA_DIR) ? env.AIRLOCK_DATA_DIR : resolve(env.AIRLOCK_DATA_DIR);
    return {
      port: env.AIRLOCK_ORDERS_PORT,
      host: env.AIRLOCK_ORDERS_HOST,
      issuer: env.AIRLOCK_AUTH_ISSUER,
      jwksUrl: new URL(env.AIRLOCK_JWKS_URL),
      authUrl: new URL(env.AIRLOCK_AUTH_URL),
      paymentsUrl: new URL(env.AIRLOCK_PAYMENTS_URL),
      dataDir,
      workloadKeysDir:
        env.AIRLOCK_WORKLOAD_KEYS_DIR === undefined ? undefined : resolve(env.AIRLOCK_WORKLOAD_KEYS_DIR),
      databaseFile: join(dataDir, 'orders', 'orders.db'),
      logLevel: env.LOG_LEVEL,
    };
  });

export type OrdersConfig = z.output<typeof ordersConfigSchema>;

/** The environment this process was started with; index.ts passes it to loadConfigOrExit. */
export function processEnv(): Env {
  return process.env;
}
