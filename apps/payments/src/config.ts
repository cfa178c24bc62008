// Reads payments' environment once, with a schema; the only module that touches process.env.
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';
import { hostSchema, logLevelSchema, portSchema, urlSchema } from '@airlock/service-kit';
import type { Env } from '@airlock/service-kit';
import { airlockTopology, serviceNamed } from '@airlock/topology';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_AUTH_ISSUER = 'http://127.0.0.1:8080/auth';
export const DEFAULT_JWKS_URL = 'http://127.0.0.1:8081/auth/jwks';
/** `.data` at the repository root (this file is apps/payments/{src,dist}/config.*). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

export const paymentsConfigSchema = z
  .object({
    AIRLOCK_PAYMENTS_PORT: portSchema.default(serviceNamed(airlockTopology, 'payments').port),
    AIRLOCK_PAYMENTS_HOST: hostSchema.default(DEFAULT_HOST),
    AIRLOCK_AUTH_ISSUER: urlSchema.default(DEFAULT_AUTH_ISSUER),
    AIRLOCK_JWKS_URL: urlSchema.default(DEFAULT_JWKS_URL),
    AIRLOCK_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
    LOG_LEVEL: logLevelSchema,
  })
  .transform((env) => {
    const dataDir = isAbsolute(env.AIRLOCK_DATA_DIR) ? env.AIRLOCK_DATA_DIR : resolve(env.AIRLOCK_DATA_DIR);
    return {
      port: env.AIRLOCK_PAYMENTS_PORT,
      host: env.AIRLOCK_PAYMENTS_HOST,
      issuer: env.AIRLOCK_AUTH_ISSUER,
      jwksUrl: new URL(env.AIRLOCK_JWKS_URL),
      dataDir,
      databaseFile: join(dataDir, 'payments', 'payments.db'),
      logLevel: env.LOG_LEVEL,
    };
  });

export type PaymentsConfig = z.output<typeof paymentsConfigSchema>;

/** The environment this process was started with; index.ts passes it to loadConfigOrExit. */
export function processEnv(): Env {
  return process.env;
}
