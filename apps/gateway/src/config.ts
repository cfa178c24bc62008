// The gateway's configuration: the environment, parsed once at start-up with a schema. Ports and the auth path
// come from the topology; defaults are named constants; risky switches (CORS) are off unless set.
import { airlockTopology, edgeService, MAX_UPLOAD_BYTES } from '@airlock/topology';
import { commaListSchema, integerSchema, parseServiceConfig, type Env } from '@airlock/service-kit/core';
import { isRedisUrl } from '@airlock/shared-state/connection';
import type { logLevelSchema } from '@airlock/service-kit/core';
import { z } from 'zod';
import { CLIENT_ADDRESS_MODES, isAddressOrCidr, type ClientAddressOptions } from './edge/client-address.js';
import { MAX_AUTH_TIMEOUT_MS } from './phantom/resolve-token.js';

/** The gateway is the topology's edge service: its name and port come from there. */
export const GATEWAY_SERVICE = edgeService(airlockTopology).name;
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
 * The routes the topology marks as uploads (`upload: true`: image-processor's, and the web shop's BFF route that
 * forwards to it) get this instead: image-processor's own limit, from the topology, so an upload it would take is
 * not cut short at the edge, and one it would refuse never crosses into the sandbox.
 */
export const DEFAULT_MAX_UPLOAD_BYTES = MAX_UPLOAD_BYTES;
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
/**
 * A client's share of them. A client's first calls need one exchange per audience its token is used for (two
 * user-facing services today), so 16 leaves room for eight users behind one address starting at once, while a
 * client spraying made-up tokens holds at most 1/16 of the cap (docs/threat-model.md, finding 4).
 */
export const DEFAULT_MAX_EXCHANGES_PER_CLIENT = 16;
/**
 * Open connections, in total and per client key (README, "Connections"): a browser opens at most 6 per origin,
 * so 32 per address is five browsers behind one NAT; the finding's 50 addresses then hold 1,600 sockets, not
 * 3,000. An open socket costs the gateway about 11 KB resident (bench/connections.bench.ts), so the total
 * bounds idle sockets to about 45 MB of the container's 256 MiB.
 */
export const DEFAULT_MAX_CONNECTIONS = 4096;
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;

const originsSchema = commaListSchema(
  z.string().refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, {
    error: 'must be a comma-separated list of origins (scheme://host[:port], no path)',
  }),
);

/** The gateway's own variables; host, port, issuer, upstreams, data folder and log level come from the topology. */
const gatewayVariables = {
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
  AIRLOCK_REDIS_URL: z
    .string()
    .refine(isRedisUrl, { error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: integerSchema(1, DEFAULT_MAX_EXCHANGES_IN_FLIGHT).default(
    DEFAULT_MAX_EXCHANGES_PER_CLIENT,
  ),
  AIRLOCK_GATEWAY_MAX_CONNECTIONS: integerSchema(1, 1_000_000).default(DEFAULT_MAX_CONNECTIONS),
  AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: integerSchema(1, 1_000_000).default(
    DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
  ),
  /** Who the client is for every per-client limit: `peer` unless a trusted proxy sits in front. */
  AIRLOCK_GATEWAY_CLIENT_ADDRESS: z.enum(CLIENT_ADDRESS_MODES).default('peer'),
  AIRLOCK_GATEWAY_TRUSTED_PROXIES: commaListSchema(
    z.string().refine(isAddressOrCidr, { error: 'must be a comma-separated list of IP addresses or CIDRs' }),
  ).default([]),
};

export interface RateLimitConfig {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  /** Replicas share the one published port (AIRLOCK_REUSE_PORT, ServiceBaseConfig.reusePort). */
  readonly reusePort: boolean;
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
  /** At most this many of the exchanges in flight were started by one client key. */
  readonly maxExchangesPerClient: number;
  /** Who the client is: the peer, or a trusted proxy's header (edge/client-address.ts). */
  readonly clientAddress: ClientAddressOptions;
  readonly connections: {
    /** Open connections in total (server.maxConnections). */
    readonly max: number;
    /** Open connections per client key of the peer; a trusted proxy's connections count only in the total. */
    readonly maxPerClient: number;
  };
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnections: number;
  readonly maxBodyBytes: number;
  /** The body limit of the routes the topology marks as uploads. */
  readonly maxUploadBytes: number;
  readonly maxTargetBytes: number;
  readonly maxTokenLength: number;
  readonly maxHeaderBytes: number;
  readonly rateLimits: {
    readonly perIp: RateLimitConfig;
    readonly perToken: RateLimitConfig;
    readonly maxKeys: number;
  };
  /**
   * Redis shared by every gateway replica (and auth): the per-token rate limit, the revocation channel and
   * shared negative results. Unset: all of it stays in this process (the embedded default).
   */
  readonly redisUrl: string | undefined;
  readonly logLevel: z.output<typeof logLevelSchema>;
}

export function parseGatewayConfig(env: Env = process.env): GatewayConfig {
  return parseServiceConfig(
    {
      service: GATEWAY_SERVICE,
      variables: gatewayVariables,
      refine: (values, _base, report) => {
        if (
          values.AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS > values.AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS
        ) {
          report(
            'AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS',
            'must not exceed AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS',
          );
        }
        if (values.AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT > values.AIRLOCK_GATEWAY_MAX_CONNECTIONS) {
          report(
            'AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT',
            'must not exceed AIRLOCK_GATEWAY_MAX_CONNECTIONS',
          );
        }
        const proxies = values.AIRLOCK_GATEWAY_TRUSTED_PROXIES.length;
        if (values.AIRLOCK_GATEWAY_CLIENT_ADDRESS !== 'peer' && proxies === 0) {
          report(
            'AIRLOCK_GATEWAY_TRUSTED_PROXIES',
            `must name the proxies whose ${values.AIRLOCK_GATEWAY_CLIENT_ADDRESS} header is believed`,
          );
        }
        if (values.AIRLOCK_GATEWAY_CLIENT_ADDRESS === 'peer' && proxies > 0) {
          report(
            'AIRLOCK_GATEWAY_TRUSTED_PROXIES',
            'is used only with AIRLOCK_GATEWAY_CLIENT_ADDRESS=x-forwarded-for or forwarded',
          );
        }
      },
      build: (base, parsed) => ({
        host: base.host,
        reusePort: base.reusePort,
        port: base.port,
        issuer: base.issuer,
        publicOrigin: base.publicOrigin,
        upstreams: Object.fromEntries(
          Object.entries(base.upstreams).map(([name, url]) => [name, url.origin]),
        ),
        dataDir: base.dataDir,
        workloadKeysDir: base.workloadKeysDir,
        webOrigins: parsed.AIRLOCK_WEB_ORIGIN,
        cache: {
          maxTtlMs: parsed.AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS * 1000,
          negativeTtlMs: parsed.AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS * 1000,
          maxEntries: parsed.AIRLOCK_GATEWAY_CACHE_MAX_ENTRIES,
          expirySkewMs: DEFAULT_EXPIRY_SKEW_SECONDS * 1000,
        },
        authTimeoutMs: parsed.AIRLOCK_GATEWAY_AUTH_TIMEOUT_MS,
        maxExchangesInFlight: DEFAULT_MAX_EXCHANGES_IN_FLIGHT,
        maxExchangesPerClient: parsed.AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT,
        clientAddress: {
          mode: parsed.AIRLOCK_GATEWAY_CLIENT_ADDRESS,
          trustedProxies: parsed.AIRLOCK_GATEWAY_TRUSTED_PROXIES,
        },
        connections: {
          max: parsed.AIRLOCK_GATEWAY_MAX_CONNECTIONS,
          maxPerClient: parsed.AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT,
        },
        upstreamConnectTimeoutMs: DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS,
        upstreamTimeoutMs: parsed.AIRLOCK_GATEWAY_UPSTREAM_TIMEOUT_MS,
        upstreamConnections: DEFAULT_UPSTREAM_CONNECTIONS,
        maxBodyBytes: parsed.AIRLOCK_GATEWAY_MAX_BODY_BYTES,
        maxUploadBytes: parsed.AIRLOCK_GATEWAY_MAX_UPLOAD_BYTES,
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
        redisUrl: parsed.AIRLOCK_REDIS_URL,
        logLevel: base.logLevel,
      }),
    },
    env,
  );
}
