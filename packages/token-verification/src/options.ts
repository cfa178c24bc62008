// The verifier's options, their defaults, and the check that turns them into a policy once, at construction.
// Every option is checked when passed; a wrong one is a TypeError that names it (the way jose checks its own).
import type { JSONWebKeySet } from 'jose';
import { checkPublicJwks } from './check-jwks.js';
import { normalizeMediaType } from './normalize-media-type.js';

/** Asymmetric JWS algorithms a verifier may pin. `none`, HS* and anything unknown are refused. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export const DEFAULT_TYP = 'at+jwt';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
/** Claims every token must carry; `requiredClaims` adds to these and cannot remove them. */
export const ALWAYS_REQUIRED_CLAIMS = ['exp', 'iat', 'sub'] as const;
export const DEFAULT_JWKS_TIMEOUT_SECONDS = 2;
export const DEFAULT_JWKS_COOLDOWN_SECONDS = 30;
export const DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS = 300;

export interface VerifiedTokenCacheOptions {
  /** Upper bound on cached tokens; the least recently used entry is evicted first. */
  maxEntries: number;
  /** Upper bound on how long a verification result is reused, whatever the token's `exp`. */
  maxTtlSeconds: number;
}

export interface TokenVerifierOptions {
  /** Exact `iss` value expected. */
  issuer: string;
  /** The one audience this verifier is: the service's own name. */
  audience: string;
  /** Non-empty allowlist of asymmetric algorithms. */
  algorithms: readonly AsymmetricAlgorithm[];
  /** A JWKS object, or the http(s) URL of one (fetched, cached and refreshed; see the README). */
  jwks: JSONWebKeySet | URL;
  /** Expected `typ` header, compared as a media type (`at+jwt` equals `application/AT+JWT`). */
  typ?: string;
  clockToleranceSeconds?: number;
  /** Refuse tokens whose `iat` is older than this, whatever their `exp`. */
  maxTokenAgeSeconds?: number;
  /** Claims that must be present in addition to `exp`, `iat` and `sub`. */
  requiredClaims?: readonly string[];
  /** Reuse successful verifications of the exact same token; off unless given. */
  cache?: VerifiedTokenCacheOptions;
  /** Remote JWKS only: request timeout. */
  jwksTimeoutSeconds?: number;
  /** Remote JWKS only: at most one fetch per this many seconds, whatever the tokens ask for. */
  jwksCooldownSeconds?: number;
  /** Remote JWKS only: a fetched set is used for at most this long, then refetched before any further use. */
  jwksCacheMaxAgeSeconds?: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  now?: () => number;
}

export type JwksSource =
  | { kind: 'static'; jwks: JSONWebKeySet }
  | { kind: 'remote'; url: URL; timeoutMs: number; cooldownMs: number; maxAgeMs: number };

/** The checked, normalized form of the options that the rest of the package works from. */
export interface VerifierPolicy {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: ReadonlySet<string>;
  readonly algorithmList: readonly string[];
  /** Normalized media type, e.g. `application/at+jwt`. */
  readonly typ: string;
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly requiredClaims: readonly string[];
  readonly cache: VerifiedTokenCacheOptions | undefined;
  readonly jwks: JwksSource;
  readonly now: () => number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'issuer',
  'audience',
  'algorithms',
  'jwks',
  'typ',
  'clockToleranceSeconds',
  'maxTokenAgeSeconds',
  'requiredClaims',
  'cache',
  'jwksTimeoutSeconds',
  'jwksCooldownSeconds',
  'jwksCacheMaxAgeSeconds',
  'now',
]);
const REMOTE_ONLY_OPTIONS = ['jwksTimeoutSeconds', 'jwksCooldownSeconds', 'jwksCacheMaxAgeSeconds'] as const;
const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set(ASYMMETRIC_ALGORITHMS);

export function parseVerifierOptions(options: TokenVerifierOptions): VerifierPolicy {
  // Typed callers cannot get here with a non-object, but JavaScript callers and parsed config can.
  const raw: unknown = options;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TypeError('token verifier options must be an object');
  }
  for (const key of Object.keys(raw)) {
    // A misspelt option (say `maxTokenAge`) would otherwise silently weaken the policy.
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`"${key}" is not a token verifier option`);
  }
  const input = raw as Record<string, unknown>;
  return {
    issuer: requireNonEmptyString(input, 'issuer'),
    audience: requireAudience(input),
    ...parseAlgorithms(input),
    typ: normalizeMediaType(optionalNonEmptyString(input, 'typ') ?? DEFAULT_TYP),
    clockToleranceSeconds:
      optionalNumber(input, 'clockToleranceSeconds', 0) ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    maxTokenAgeSeconds: optionalNumber(input, 'maxTokenAgeSeconds', Number.MIN_VALUE),
    requiredClaims: parseRequiredClaims(input),
    cache: parseCache(input),
    jwks: parseJwks(input),
    now: parseNow(input),
  };
}

function requireNonEmptyString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`"${name}" option must be a non-empty string`);
  }
  return value;
}

function optionalNonEmptyString(input: Record<string, unknown>, name: string): string | undefined {
  return input[name] === undefined ? undefined : requireNonEmptyString(input, name);
}

function requireAudience(input: Record<string, unknown>): string {
  if (Array.isArray(input['audience'])) {
    // One verifier is one audience: a token accepted by several services can be replayed among them.
    throw new TypeError('"audience" option must be a single string, not an array');
  }
  return requireNonEmptyString(input, 'audience');
}

function parseAlgorithms(
  input: Record<string, unknown>,
): Pick<VerifierPolicy, 'algorithms' | 'algorithmList'> {
  const value = input['algorithms'];
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError('"algorithms" option must be a non-empty array of asymmetric JWS algorithms');
  }
  const list: string[] = [];
  for (const algorithm of value as unknown[]) {
    if (typeof algorithm !== 'string' || !ALLOWED_ALGORITHMS.has(algorithm)) {
      throw new TypeError(
        `"algorithms" option may only contain ${ASYMMETRIC_ALGORITHMS.join(', ')} (got ${describe(algorithm)})`,
      );
    }
    list.push(algorithm);
  }
  return { algorithms: new Set(list), algorithmList: list };
}

function optionalNumber(
  input: Record<string, unknown>,
  name: string,
  minimum: number,
  label = name,
): number | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    const bound = minimum === 0 ? 'zero or more' : 'greater than zero';
    throw new TypeError(`"${label}" option must be a finite number of seconds, ${bound}`);
  }
  return value;
}

function requirePositiveInteger(input: Record<string, unknown>, name: string, label: string): number {
  const value = input[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`"${label}" option must be a positive integer`);
  }
  return value;
}

function parseRequiredClaims(input: Record<string, unknown>): readonly string[] {
  const value = input['requiredClaims'];
  if (value === undefined) return ALWAYS_REQUIRED_CLAIMS;
  if (!Array.isArray(value) || value.some((claim) => typeof claim !== 'string' || claim.length === 0)) {
    throw new TypeError('"requiredClaims" option must be an array of non-empty claim names');
  }
  return [...new Set([...ALWAYS_REQUIRED_CLAIMS, ...(value as string[])])];
}

function parseCache(input: Record<string, unknown>): VerifiedTokenCacheOptions | undefined {
  const value = input['cache'];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('"cache" option must be an object { maxEntries, maxTtlSeconds }');
  }
  const cache = value as Record<string, unknown>;
  for (const key of Object.keys(cache)) {
    if (key !== 'maxEntries' && key !== 'maxTtlSeconds') {
      throw new TypeError(`"cache.${key}" is not a cache option`);
    }
  }
  const maxTtlSeconds = optionalNumber(cache, 'maxTtlSeconds', Number.MIN_VALUE, 'cache.maxTtlSeconds');
  if (maxTtlSeconds === undefined) throw new TypeError('"cache.maxTtlSeconds" option is required');
  return { maxEntries: requirePositiveInteger(cache, 'maxEntries', 'cache.maxEntries'), maxTtlSeconds };
}

function parseJwks(input: Record<string, unknown>): JwksSource {
  const value = input['jwks'];
  if (value instanceof URL) return parseRemoteJwks(input, value);
  for (const name of REMOTE_ONLY_OPTIONS) {
    if (input[name] !== undefined) {
      throw new TypeError(`"${name}" option applies only when "jwks" is a URL`);
    }
  }
  const check = checkPublicJwks(value);
  if (!check.ok) throw new TypeError(`"jwks" option ${check.reason}`);
  // A private copy: later edits to the caller's object must not change what this verifier trusts.
  return { kind: 'static', jwks: structuredClone(check.jwks) };
}

function parseRemoteJwks(input: Record<string, unknown>, url: URL): JwksSource {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('"jwks" option URL must use http: or https:');
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs; the JWKS is public anyway.
    throw new TypeError('"jwks" option URL must not carry credentials');
  }
  const timeout = optionalNumber(input, 'jwksTimeoutSeconds', Number.MIN_VALUE);
  const cooldown = optionalNumber(input, 'jwksCooldownSeconds', 0) ?? DEFAULT_JWKS_COOLDOWN_SECONDS;
  const maxAge =
    optionalNumber(input, 'jwksCacheMaxAgeSeconds', Number.MIN_VALUE) ?? DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS;
  if (cooldown > maxAge) {
    // Otherwise a set could go stale while refetching is still forbidden, and every token would fail.
    throw new TypeError('"jwksCooldownSeconds" option must not exceed "jwksCacheMaxAgeSeconds"');
  }
  return {
    kind: 'remote',
    url: new URL(url.href),
    timeoutMs: (timeout ?? DEFAULT_JWKS_TIMEOUT_SECONDS) * 1000,
    cooldownMs: cooldown * 1000,
    maxAgeMs: maxAge * 1000,
  };
}

function parseNow(input: Record<string, unknown>): () => number {
  const value = input['now'];
  if (value === undefined) return Date.now;
  if (typeof value !== 'function') throw new TypeError('"now" option must be a function returning epoch ms');
  return value as () => number;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
