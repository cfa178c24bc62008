// The part of every service's configuration that the topology decides: where it listens, auth's issuer, where it
// fetches signing keys, the origin of each service it calls, its data folder and log level. Variable names and
// local defaults are derived from the service's topology entry, so a new service is configured by being declared.
// A service adds its own variables; everything is parsed at once and every bad variable is reported together.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';
import {
  airlockTopology,
  edgePrefixOf,
  hostVariableOf,
  issuerServiceOf,
  jwksProviderOf,
  JWKS_PATH,
  LOCAL_HOST,
  localIssuerOf,
  localOriginOf,
  portVariableOf,
  serviceNamed,
  upstreamsOf,
  urlVariableOf,
} from '@airlock/topology';
import type { Topology } from '@airlock/topology';

import {
  booleanFlagSchema,
  ConfigError,
  hostSchema,
  logLevelSchema,
  portSchema,
  toConfigIssue,
  urlSchema,
  type ConfigIssue,
  type Env,
} from './config.js';
import type { LogLevel } from './logger.js';
import { withSecretFiles } from './secret-files.js';

/** `.data` at the repository root (this file is packages/service-kit/{src,dist}/service-config.*). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

export interface ServiceBaseConfig {
  /** The service's name in the topology. */
  readonly service: string;
  readonly host: string;
  readonly port: number;
  /** auth's issuer identifier, exactly as auth writes `iss`: the edge's public origin plus auth's prefix. */
  readonly issuer: string;
  /** The edge's public origin (the issuer's origin). */
  readonly publicOrigin: URL;
  /** Where the service fetches auth's signing keys; undefined for a service the topology gives no JWKS call. */
  readonly jwksUrl: URL | undefined;
  /** The origin of every service this one calls, by topology name (`AIRLOCK_<NAME>_URL`). */
  readonly upstreams: Readonly<Record<string, URL>>;
  readonly dataDir: string;
  /** Where the service publishes its workload public key for auth; undefined: under `dataDir`. */
  readonly workloadKeysDir: string | undefined;
  readonly logLevel: LogLevel;
  /**
   * `AIRLOCK_DATABASE_URL` (postgres://…): the PostgreSQL database a service with storage shares with its
   * replicas; undefined: its embedded SQLite file. Holds a password: never log it.
   */
  readonly databaseUrl: URL | undefined;
  /**
   * `AIRLOCK_REUSE_PORT`: listen with SO_REUSEPORT, so that replicas of the service share one port and the
   * kernel spreads connections over them (`./airlock start --shared-state`). Off by default: a second process on
   * a taken port is then an error, not a silent partner.
   */
  readonly reusePort: boolean;
}

export interface ServiceConfigDefinition<Own extends z.ZodRawShape, Config> {
  /** The service's name in the topology. */
  readonly service: string;
  /** Defaults to Airlock's topology. */
  readonly topology?: Topology;
  /** The service's own variables, beyond the ones the topology decides. */
  readonly variables: Own;
  /** Rules that span variables; `report` names the variable and why, never its value. */
  readonly refine?: (
    values: z.output<z.ZodObject<Own>>,
    base: ServiceBaseConfig,
    report: (variable: string, reason: string) => void,
  ) => void;
  /** Builds the service's config from the parsed parts. */
  readonly build: (base: ServiceBaseConfig, values: z.output<z.ZodObject<Own>>) => Config;
}

/** The service's config, or throws ConfigError listing every bad variable. */
export function parseServiceConfig<Own extends z.ZodRawShape, Config>(
  definition: ServiceConfigDefinition<Own, Config>,
  givenEnv: Env,
): Config {
  const topology = definition.topology ?? airlockTopology;
  const issues: ConfigIssue[] = [];
  const env = withSecretFiles(givenEnv, issues);
  const base = parseBase(topology, definition.service, env, issues);
  const own = z.object(definition.variables).safeParse(env);
  if (!own.success) issues.push(...own.error.issues.map((issue) => toConfigIssue(issue, env)));
  if (base === undefined || !own.success || issues.length > 0) throw new ConfigError(issues);
  definition.refine?.(own.data, base, (variable, reason) => issues.push({ variable, reason }));
  if (issues.length > 0) throw new ConfigError(issues);
  return definition.build(base, own.data);
}

/** The origin of `service` that the config's owner calls; a name its topology entry does not call is a bug. */
export function upstreamOf(config: Pick<ServiceBaseConfig, 'service' | 'upstreams'>, service: string): URL {
  const url = config.upstreams[service];
  if (url === undefined) throw new Error(`${config.service} does not call ${service} in the topology`);
  return url;
}

/** The JWKS URL of a service that verifies tokens; a service the topology gives no JWKS call has none. */
export function jwksUrlOf(config: Pick<ServiceBaseConfig, 'service' | 'jwksUrl'>): URL {
  if (config.jwksUrl === undefined) throw new Error(`${config.service} has no JWKS call in the topology`);
  return config.jwksUrl;
}

/** A PostgreSQL connection URL: postgres:// or postgresql://, with a host and a database name. */
const databaseUrlSchema = z.string().refine(
  (value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (
      (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
      url.hostname !== '' &&
      url.pathname.length > 1
    );
  },
  { error: 'must be a postgres:// URL with a host and a database name' },
);

/** An origin: an http(s) URL with no path, query or fragment. */
const originSchema = urlSchema.refine(
  (value) => {
    // zod runs every refinement: a value urlSchema refused is not parsed again.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.pathname === '/' && url.search === '' && url.hash === '';
  },
  { error: 'must be an origin (no path, query or fragment)' },
);

function parseBase(
  topology: Topology,
  name: string,
  env: Env,
  issues: ConfigIssue[],
): ServiceBaseConfig | undefined {
  const service = serviceNamed(topology, name);
  const issuerPrefix = edgePrefixOf(topology, issuerServiceOf(topology).name);
  const issuerSchema = urlSchema.refine(
    (value) => {
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return url.pathname === issuerPrefix && url.search === '' && url.hash === '';
    },
    {
      error: `must be the gateway's public origin followed by ${issuerPrefix ?? '(none)'}, with no query or fragment`,
    },
  );
  const read = <Schema extends z.ZodType>(variable: string, schema: Schema): z.output<Schema> | undefined => {
    const result = schema.safeParse(env[variable]);
    if (result.success) return result.data;
    issues.push(...result.error.issues.map((issue) => toConfigIssue({ ...issue, path: [variable] }, env)));
    return undefined;
  };

  const before = issues.length;
  const host = read(hostVariableOf(name), hostSchema.default(LOCAL_HOST));
  const port = read(portVariableOf(name), portSchema.default(service.port));
  const issuer = read('AIRLOCK_AUTH_ISSUER', issuerSchema.default(localIssuerOf(topology)));
  const provider = jwksProviderOf(topology, name);
  const jwksUrl =
    provider === undefined
      ? undefined
      : read('AIRLOCK_JWKS_URL', urlSchema.default(`${localOriginOf(provider)}${JWKS_PATH}`));
  const upstreams = Object.fromEntries(
    upstreamsOf(topology, name).map((upstream) => [
      upstream.name,
      read(urlVariableOf(upstream.name), originSchema.default(localOriginOf(upstream))),
    ]),
  );
  const dataDir = read('AIRLOCK_DATA_DIR', z.string().min(1).default(DEFAULT_DATA_DIR));
  const workloadKeysDir = read('AIRLOCK_WORKLOAD_KEYS_DIR', z.string().min(1).optional());
  const logLevel = read('LOG_LEVEL', logLevelSchema);
  const databaseUrl = read('AIRLOCK_DATABASE_URL', databaseUrlSchema.optional());
  const reusePort = read('AIRLOCK_REUSE_PORT', booleanFlagSchema);
  if (
    issues.length > before ||
    host === undefined ||
    port === undefined ||
    issuer === undefined ||
    dataDir === undefined ||
    logLevel === undefined ||
    reusePort === undefined
  ) {
    return undefined;
  }
  return {
    service: name,
    host,
    port,
    issuer,
    publicOrigin: new URL(new URL(issuer).origin),
    jwksUrl: jwksUrl === undefined ? undefined : new URL(jwksUrl),
    upstreams: Object.fromEntries(
      Object.entries(upstreams).flatMap(([upstream, url]) =>
        url === undefined ? [] : [[upstream, new URL(url)]],
      ),
    ),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    workloadKeysDir: workloadKeysDir === undefined ? undefined : resolve(workloadKeysDir),
    logLevel,
    databaseUrl: databaseUrl === undefined ? undefined : new URL(databaseUrl),
    reusePort,
  };
}
