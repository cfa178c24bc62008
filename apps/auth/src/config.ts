// Auth's configuration: the environment, parsed once at start-up with a schema. Defaults are named
// constants; anything that would weaken the server in production is refused there, not warned about.
import { resolve } from 'node:path';
import { airlockTopology, edgePrefixOf, localIssuerOf } from '@airlock/topology';
import {
  booleanFlagSchema,
  commaListSchema,
  DEFAULT_DATA_DIR,
  integerSchema,
  parseConfig,
  parseServiceConfig,
  urlSchema,
  type Env,
} from '@airlock/service-kit';
import type { logLevelSchema } from '@airlock/service-kit';
import { isRedisUrl } from '@airlock/shared-state/connection';
import { z } from 'zod';

import { service } from './service.js';

/** The gateway's public URL plus the edge prefix that routes to auth. */
export const DEFAULT_ISSUER = localIssuerOf(airlockTopology);
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 24 * 60 * 60;
export const DEFAULT_SESSION_TTL_SECONDS = 8 * 60 * 60;
/** What consumers may cache the JWKS for (token-verification's default); key promotion waits longer. */
export const DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS = 300;
export const DEFAULT_WEB_REDIRECT_URIS = 'http://127.0.0.1:8080/callback';

/** The path the topology's edge route gives auth; the issuer must live there or nothing routes to it. */
export const AUTH_PATH_PREFIX = edgePrefixOfAuth();

function edgePrefixOfAuth(): string {
  const prefix = edgePrefixOf(airlockTopology, service.name);
  if (prefix === undefined) throw new Error(`the topology routes nothing to ${service.name}`);
  return prefix;
}

const pathSchema = z
  .string()
  .min(1, 'must be a path')
  .transform((value) => resolve(value));

const redirectUrisSchema = commaListSchema(urlSchema).pipe(
  z.array(z.string()).min(1, 'must list at least one redirect URI'),
);

/** auth's own variables; host, port, issuer, data folders and log level come from the topology. */
const authVariables = {
  NODE_ENV: z.string().optional(),
  AIRLOCK_ENV: z
    .enum(['development', 'production'], { error: "must be 'development' or 'production'" })
    .optional(),
  AIRLOCK_USERS_FILE: pathSchema.optional(),
  AIRLOCK_DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
  AIRLOCK_AUTH_WEB_REDIRECT_URIS: redirectUrisSchema.default([DEFAULT_WEB_REDIRECT_URIS]),
  AIRLOCK_AUTH_ACCESS_TOKEN_TTL_SECONDS: integerSchema(60, 3600).optional(),
  AIRLOCK_AUTH_REFRESH_TOKEN_TTL_SECONDS: integerSchema(300, 30 * 24 * 3600).optional(),
  AIRLOCK_AUTH_SESSION_TTL_SECONDS: integerSchema(300, 7 * 24 * 3600).optional(),
  AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS: integerSchema(0, 24 * 3600).optional(),
  AIRLOCK_AUTH_TRUST_PROXY: booleanFlagSchema,
  AIRLOCK_REDIS_URL: z
    .string()
    .refine(isRedisUrl, { error: 'must be a redis:// or rediss:// URL' })
    .optional(),
};

function isProduction(env: { AIRLOCK_ENV?: string | undefined; NODE_ENV?: string | undefined }): boolean {
  return env.AIRLOCK_ENV === 'production' || (env.AIRLOCK_ENV === undefined && env.NODE_ENV === 'production');
}

export interface AuthConfig {
  readonly production: boolean;
  /** Public issuer identifier; every URL auth advertises is built from it, never from request headers. */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  /** Replicas share one port (AIRLOCK_REUSE_PORT, ServiceBaseConfig.reusePort). */
  readonly reusePort: boolean;
  readonly dataDir: string;
  /** `<dataDir>/auth`: signing keys, cookie keys, the database, the generated demo password. */
  readonly authDir: string;
  /** Where services publish their workload public keys (`<dir>/<service>/workload-key.public.jwk.json`). */
  readonly workloadKeysDir: string;
  /** Real users (production); undefined = seeded demo users (development only). */
  readonly usersFile: string | undefined;
  readonly demoPassword: string | undefined;
  readonly webRedirectUris: readonly string[];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly jwksCacheMaxAgeSeconds: number;
  /** Take the client address for login rate limits from the last X-Forwarded-For hop (the gateway's). */
  readonly trustProxy: boolean;
  /** Redis shared with the gateways: auth publishes revoked tokens there. Unset: no fan-out (the TTL bounds). */
  readonly redisUrl: string | undefined;
  /** AIRLOCK_DATABASE_URL (postgres://…), shared by auth's replicas; undefined: `<authDir>/auth.db` (SQLite). */
  readonly databaseUrl: URL | undefined;
  readonly logLevel: z.output<typeof logLevelSchema>;
}

export function parseAuthConfig(env: Env = process.env): AuthConfig {
  return parseServiceConfig(
    {
      service: service.name,
      variables: authVariables,
      refine: (values, _base, report) => {
        if (isProduction(values) && values.AIRLOCK_USERS_FILE === undefined) {
          report('AIRLOCK_USERS_FILE', 'is required in production: auth never runs on demo users there');
        }
        if (isProduction(values) && values.AIRLOCK_DEMO_PASSWORD !== undefined) {
          report('AIRLOCK_DEMO_PASSWORD', 'must not be set in production: demo users are refused there');
        }
      },
      build: (base, parsed) => ({
        production: isProduction(parsed),
        databaseUrl: base.databaseUrl,
        issuer: base.issuer,
        host: base.host,
        reusePort: base.reusePort,
        port: base.port,
        dataDir: base.dataDir,
        authDir: resolve(base.dataDir, service.name),
        workloadKeysDir: base.workloadKeysDir ?? base.dataDir,
        usersFile: parsed.AIRLOCK_USERS_FILE,
        demoPassword: parsed.AIRLOCK_DEMO_PASSWORD,
        webRedirectUris: parsed.AIRLOCK_AUTH_WEB_REDIRECT_URIS,
        accessTokenTtlSeconds:
          parsed.AIRLOCK_AUTH_ACCESS_TOKEN_TTL_SECONDS ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenTtlSeconds:
          parsed.AIRLOCK_AUTH_REFRESH_TOKEN_TTL_SECONDS ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
        sessionTtlSeconds: parsed.AIRLOCK_AUTH_SESSION_TTL_SECONDS ?? DEFAULT_SESSION_TTL_SECONDS,
        jwksCacheMaxAgeSeconds:
          parsed.AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS ?? DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS,
        trustProxy: parsed.AIRLOCK_AUTH_TRUST_PROXY,
        redisUrl: parsed.AIRLOCK_REDIS_URL,
        logLevel: base.logLevel,
      }),
    },
    env,
  );
}

export interface RotationConfig {
  readonly authDir: string;
  readonly jwksCacheMaxAgeSeconds: number;
}

const rotationSchema = z.object({
  AIRLOCK_DATA_DIR: pathSchema.optional(),
  AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS: integerSchema(0, 24 * 3600).optional(),
});

/** What the rotate-keys command needs: the same data folder and JWKS cache age as the server it acts for. */
export function parseRotationConfig(env: Env = process.env): RotationConfig {
  const parsed = parseConfig(rotationSchema, env);
  return {
    authDir: resolve(parsed.AIRLOCK_DATA_DIR ?? DEFAULT_DATA_DIR, service.name),
    jwksCacheMaxAgeSeconds:
      parsed.AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS ?? DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS,
  };
}
