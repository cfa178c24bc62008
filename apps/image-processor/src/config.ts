// Reads the image processor's environment once, with a schema; the only module that touches process.env.
// There is deliberately nothing secret to configure: the sandbox holds no key, password or client credential.
import { z } from 'zod';
import { hostSchema, logLevelSchema, portSchema, urlSchema } from '@airlock/service-kit';
import type { Env } from '@airlock/service-kit';
import { airlockTopology, edgeService, serviceNamed } from '@airlock/topology';

const gatewayPort = edgeService(airlockTopology).port;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = serviceNamed(airlockTopology, 'image-processor').port;
/** The issuer auth puts in every token, reached through the gateway. */
export const DEFAULT_AUTH_ISSUER = `http://127.0.0.1:${gatewayPort}/auth`;
/** The gateway's public JWKS route: the sandbox's only reachable service is the gateway. */
export const DEFAULT_JWKS_URL = `http://127.0.0.1:${gatewayPort}/auth/jwks`;

export const imageProcessorConfigSchema = z
  .object({
    AIRLOCK_IMAGE_PROCESSOR_PORT: portSchema.default(DEFAULT_PORT),
    AIRLOCK_IMAGE_PROCESSOR_HOST: hostSchema.default(DEFAULT_HOST),
    AIRLOCK_AUTH_ISSUER: urlSchema.default(DEFAULT_AUTH_ISSUER),
    AIRLOCK_JWKS_URL: urlSchema.default(DEFAULT_JWKS_URL),
    LOG_LEVEL: logLevelSchema,
  })
  .transform((env) => ({
    port: env.AIRLOCK_IMAGE_PROCESSOR_PORT,
    host: env.AIRLOCK_IMAGE_PROCESSOR_HOST,
    issuer: env.AIRLOCK_AUTH_ISSUER,
    jwksUrl: new URL(env.AIRLOCK_JWKS_URL),
    logLevel: env.LOG_LEVEL,
  }));

export type ImageProcessorConfig = z.output<typeof imageProcessorConfigSchema>;

/** The environment this process was started with; index.ts passes it to loadConfigOrExit. */
export function processEnv(): Env {
  return process.env;
}
