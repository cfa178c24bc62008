// The gateway's configuration: the environment, parsed once at start-up with a schema. Ports and the auth path
// come from the topology; defaults are named constants; risky switches (CORS) are off unless set.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { airlockTopology, serviceNamed } from '@airlock/topology';
import {
  ConfigError,
  commaListSchema,
  integerSchema,
  logLevelSchema,
  parseConfig,
  portSchema,
  urlSchema,
  type Env,
} from '@airlock/service-kit';
import { z } from 'zod';
import { MAX_AUTH_TIMEOUT_MS } from './phantom/resolve-token.js';

export const GATEWAY_SERVICE = 'gateway';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = serviceNamed(airlockTopology, GATEWAY_SERVICE).port;
/** auth's public issuer: the gateway's own public origin plus auth's edge prefix. */
export const DEFAULT_ISSUER = 'http://127.0.0.1:8080/auth';
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));
/** The revocation bound: a revoked token is refused at most this long after auth revoked it. */
export const DEFAULT_CACHE_MAX_TTL_SECONDS = 30;
export const DEFAULT_NEGATIVE_CACHE_TTL_SECONDS = 5;
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** A cached JWT is dropped this long before it expires, so a service never receives one about to expire. */
export const DEFAULT_EXPIRY_SKEW_SECONDS = 5;
export const DEFAULT_AUTH_TIMEOUT_MS = MAX_AUTH_TIMEOUT_MS;
export const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
export const DEFAULT_UPSTREAM_CONNECTIONS = 128;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/**
 * Image uploads (the routes of the services in UPLOAD_SERVICES) get this instead: image-processor's own limit
 * (5 MiB, apps/image-processor/README.md), so an upload it would refuse never crosses into the sandbox.
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const UPLOAD_SERVICES: readonly string[] = ['image-processor'];
export const DEFAULT_MAX_TARGET_BYTES = 2048;
export const DEFAULT_MAX_TOKEN_LENGTH = 512;
/** Largest request head node accepts; larger is 431. Room for a 512-byte token and ordinary headers. */
export const DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
export const DEFAULT_RATE_IP_PER_SECOND = 100;
export const DEFAULT_RATE_IP_BURST = 200;
export const DEFAULT_RATE_TOKEN_PER_SECOND = 50;
export const DEFAULT_RATE_TOKEN_BURST = 100;
export const DEFAULT_RATE_MAX_KEYS = 100_000;
/** Distinct token exchanges in flight at once; more is 503 without calling auth. */
export const DEFAULT_MAX_EXCHANGES_IN_FLIGHT = 256;

const originsSchema = commaListSchema(
  z.string().refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, {
    error: 'must be a comma-separated list of origins (scheme://host[:port], no path)',
  }),
);

const authPrefix = airlockTopology.edgeRoutes.find((route) => route.to === 'auth')?.prefix ?? '/auth';

const environmentSchema = z
  .object({
    AIRLOCK_GATEWAY_HOST: z.string().min(1).default(DEFAULT_HOST),
    AIRLOCK_GATEWAY_PORT: portSchema.optional(),
    AIRLOCK_AUTH_ISSUER: urlSchema.default(DEFAULT_ISSUER),
    AIRLOCK_AUTH_URL: urlSchema.default(`http://127.0.0.1:${serviceNamed(airlockTopology, 'auth').port}`),
    AIRLOCK_ORDERS_URL: urlSchema.default(`http://127.0.0.1:${serviceNamed(airlockTopology, 'orders').port}`),
    AIRLOCK_IMAGE_PROCESSOR_URL: urlSchema.default(
      `http://127.0.0.1:${serviceNamed(airlockTopology, 'image-processor').port}`,
    ),
    AIRLOCK_DATA_DIR: z.string().min(1).optional(),
    AIRLOCK_WORKLOAD_KEYS_DIR: z.string().min(1).optional(),
    AIRLOCK_WEB_ORIGIN: originsSchema.default([]),
    AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: integerSchema(1, 300).default(DEFAULT_CACHE_MAX_TTL_SECONDS),
    AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS: integerSchema(1, 300).default(
      DEFAULT_NEGATIVE_CACHE_TTL_SECONDS,
    ),
    AIRLOCK_GATEWAY_CACHE_MAX_ENTRIES: integerSchema(1, 1_000_000).default(DEFAULT_CACHE_MAX_ENTRIES),
    AIRLOCK_GATEWAY_AUTH_TIMEOUT_MS: integerSchema(100, MAX_AUTH_TIMEOUT_MS).default(DEFAULT_AUTH_TIMEOUT_MS),
    AIRLOCK_GATEWAY_UPSTREAM_TIMEOUT_MS: integerSchema(100, 300_000).default(DEFAULT_UPSTREAM_TIMEOUT_MS),
    AIRLOCK_GATEWAY_MAX_BODY_BYTES: integerSchema(0, 100 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
    AIRLOCK_GATEWAY_MAX_UPLOAD_BYTES: integerSchema(0, 100 * 1024 * 1024).default(DEFAULT_MAX_UPLOAD_BYTES),
    AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: integerSchema(1, 1_000_000).default(DEFAULT_RATE_IP_PER_SECOND),
    AIRLOCK_GATEWAY_RATE_IP_BURST: integerSchema(1, 1_000_000).default(DEFAULT_RATE_IP_BURST),
    AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: integerSchema(1, 1_000_000).default(DEFAULT_RATE_TOKEN_PER_SECOND),
    AIRLOCK_GATEWAY_RATE_TOKEN_BURST: integerSchema(1, 1_000_000).default(DEFAULT_RATE_TOKEN_BURST),
    LOG_LEVEL: logLevelSchema,
  })
  .superRefine((env, context) => {
    const issuer = new URL(env.AIRLOCK_AUTH_ISSUER);
    if (issuer.pathname !== authPrefix || issuer.search !== '' || issuer.hash !== '') {
      context.addIssue({
        code: 'custom',
        path: ['AIRLOCK_AUTH_ISSUER'],
        message: `must be the gateway's public origin followed by ${authPrefix}, with no query or fragment`,
      });
    }
    if (env.AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS > env.AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS'],
        message: 'must not exceed AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS',
      });
    }
    for (const name of ['AIRLOCK_AUTH_URL', 'AIRLOCK_ORDERS_URL', 'AIRLOCK_IMAGE_PROCESSOR_URL'] as const) {
      const url = new URL(env[name]);
      if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be an origin (no path, query or fragment)',
        });
      }
    }
  });

export interface RateLimitConfig {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  /** auth's issuer identifier: expected `iss`, audience of the gateway's client assertions. */
  readonly issuer: string;
  /** The gateway's public origin (the issuer's origin): source of X-Forwarded-Proto/Host and of HSTS. */
  readonly publicOrigin: URL;
  /** Internal origin of each service the edge routes to, by topology name. */
  readonly upstreams: Readonly<Record<string, string>>;
  readonly dataDir: string;
  /** Where the public half of the workload key is published for auth; defaults to `dataDir`. */
  readonly workloadKeysDir: string | undefined;
  readonly webOrigins: readonly string[];
  readonly cache: {
    readonly maxTtlMs: number;
    readonly negativeTtlMs: number;
    readonly maxEntries: number;
    readonly expirySkewMs: number;
  };
  readonly authTimeoutMs: number;
  readonly maxExchangesInFlight: number;
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnections: number;
  readonly maxBodyBytes: number;
  readonly maxUploadBytes: number;
  readonly uploadServices: readonly string[];
  readonly maxTargetBytes: number;
  readonly maxTokenLength: number;
  readonly maxHeaderBytes: number;
  readonly rateLimits: {
    readonly perIp: RateLimitConfig;
    readonly perToken: RateLimitConfig;
    readonly maxKeys: number;
  };
  readonly logLevel: z.output<typeof logLevelSchema>;
}

export function parseGatewayConfig(env: Env = process.env): GatewayConfig {
  const parsed = parseConfig(environmentSchema, env);
  const issuer = new URL(parsed.AIRLOCK_AUTH_ISSUER);
  return {
    host: parsed.AIRLOCK_GATEWAY_HOST,
    port: parsed.AIRLOCK_GATEWAY_PORT ?? DEFAULT_PORT,
    issuer: parsed.AIRLOCK_AUTH_ISSUER,
    publicOrigin: new URL(issuer.origin),
    upstreams: {
      auth: new URL(parsed.AIRLOCK_AUTH_URL).origin,
      orders: new URL(parsed.AIRLOCK_ORDERS_URL).origin,
      'image-processor': new URL(parsed.AIRLOCK_IMAGE_PROCESSOR_URL).origin,
    },
    dataDir: resolve(parsed.AIRLOCK_DATA_DIR ?? DEFAULT_DATA_DIR),
    workloadKeysDir:
      parsed.AIRLOCK_WORKLOAD_KEYS_DIR === undefined ? undefined : resolve(parsed.AIRLOCK_WORKLOAD_KEYS_DIR),
    webOrigins: parsed.AIRLOCK_WEB_ORIGIN,
    cache: {
      maxTtlMs: parsed.AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS * 1000,
      negativeTtlMs: parsed.AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS * 1000,
      maxEntries: parsed.AIRLOCK_GATEWAY_CACHE_MAX_ENTRIES,
      expirySkewMs: DEFAULT_EXPIRY_SKEW_SECONDS * 1000,
    },
    authTimeoutMs: parsed.AIRLOCK_GATEWAY_AUTH_TIMEOUT_MS,
    maxExchangesInFlight: DEFAULT_MAX_EXCHANGES_IN_FLIGHT,
    upstreamConnectTimeoutMs: DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS,
    upstreamTimeoutMs: parsed.AIRLOCK_GATEWAY_UPSTREAM_TIMEOUT_MS,
    upstreamConnections: DEFAULT_UPSTREAM_CONNECTIONS,
    maxBodyBytes: parsed.AIRLOCK_GATEWAY_MAX_BODY_BYTES,
    maxUploadBytes: parsed.AIRLOCK_GATEWAY_MAX_UPLOAD_BYTES,
    uploadServices: UPLOAD_SERVICES,
    maxTargetBytes: DEFAULT_MAX_TARGET_BYTES,
    maxTokenLength: DEFAULT_MAX_TOKEN_LENGTH,
    maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
    rateLimits: {
      perIp: {
        ratePerSecond: parsed.AIRLOCK_GATEWAY_RATE_IP_PER_SECOND,
        burst: parsed.AIRLOCK_GATEWAY_RATE_IP_BURST,
      },
      perToken: {
        ratePerSecond: parsed.AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND,
        burst: parsed.AIRLOCK_GATEWAY_RATE_TOKEN_BURST,
      },
      maxKeys: DEFAULT_RATE_MAX_KEYS,
    },
    logLevel: parsed.LOG_LEVEL,
  };
}

/** For index.ts: the config, or the reasons on stderr and exit code 1. */
export function loadGatewayConfigOrExit(env: Env = process.env): GatewayConfig {
  try {
    return parseGatewayConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
