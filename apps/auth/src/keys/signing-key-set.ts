// The signing key set and its rotation rules, as pure functions of the set and the clock. A key is staged
// (published, not signing), then active (the one that signs), then retiring (published so that tokens it
// signed still verify), then removed. Each step is refused until the previous one has had time to take effect.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SigningKeyError } from './signing-key-error.js';

export const SIGNING_ALG = 'ES256';

export type SigningKeyStatus = 'staged' | 'active' | 'retiring';

export interface SigningPrivateJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly d: string;
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly use: 'sig';
}

export interface SigningKeyRecord {
  readonly kid: string;
  readonly status: SigningKeyStatus;
  /** Epoch seconds. For a staged key: when it was first published. */
  readonly createdAt: number;
  readonly activatedAt?: number;
  /** When it stopped signing; it is removed once every token it signed has expired. */
  readonly retiringSince?: number;
  readonly privateJwk: SigningPrivateJwk;
}

export interface SigningKeySet {
  readonly version: 1;
  readonly keys: readonly SigningKeyRecord[];
}

export interface RotationTimings {
  /** How long consumers may cache the JWKS (auth's Cache-Control and token-verification's default). */
  readonly jwksCacheMaxAgeSeconds: number;
  /** The longest life of anything auth signs: internal JWTs and ID tokens (300 s). */
  readonly maxSignedTokenLifetimeSeconds: number;
  /** Clock skew verifiers tolerate past `exp`. */
  readonly clockToleranceSeconds: number;
  /** Slack for the running auth to notice a changed key file and for requests in flight. */
  readonly marginSeconds: number;
}

/** Seconds a staged key must have been published before it may sign. */
export function promotionDelay(timings: RotationTimings): number {
  return timings.jwksCacheMaxAgeSeconds + timings.marginSeconds;
}

/** Seconds a key must have stopped signing before it may be withdrawn. */
export function retirementDelay(timings: RotationTimings): number {
  return timings.maxSignedTokenLifetimeSeconds + timings.clockToleranceSeconds + timings.marginSeconds;
}

export async function generateSigningKey(status: SigningKeyStatus, now: number): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const { x, y, d } = await exportJWK(privateKey);
  if (x === undefined || y === undefined || d === undefined)
    throw new Error('key generation returned no EC key');
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x, y }, 'sha256');
  const privateJwk: SigningPrivateJwk = {
    kty: 'EC',
    crv: 'P-256',
    x,
    y,
    d,
    kid,
    alg: SIGNING_ALG,
    use: 'sig',
  };
  return status === 'active'
    ? { kid, status, createdAt: now, activatedAt: now, privateJwk }
    : { kid, status, createdAt: now, privateJwk };
}

export async function initialKeySet(now: number): Promise<SigningKeySet> {
  return { version: 1, keys: [await generateSigningKey('active', now)] };
}

export function activeKey(set: SigningKeySet): SigningKeyRecord {
  const [active, ...others] = set.keys.filter((key) => key.status === 'active');
  if (active === undefined || others.length > 0) {
    throw new SigningKeyError('invalid_key_file', 'the signing key set must have exactly one active key');
  }
  return active;
}

export function stagedKey(set: SigningKeySet): SigningKeyRecord | undefined {
  return set.keys.find((key) => key.status === 'staged');
}

/** Step 1: publish a new key that does not sign yet. */
export async function stageKey(set: SigningKeySet, now: number): Promise<SigningKeySet> {
  const staged = stagedKey(set);
  if (staged !== undefined) {
    throw new SigningKeyError('already_staged', `key ${staged.kid} is already staged; promote it first`);
  }
  return { version: 1, keys: [...set.keys, await generateSigningKey('staged', now)] };
}

/** Step 2: the staged key signs from now on; the previous active key starts retiring. */
export function promoteStagedKey(set: SigningKeySet, now: number, timings: RotationTimings): SigningKeySet {
  const staged = stagedKey(set);
  if (staged === undefined) throw new SigningKeyError('nothing_staged', 'no key is staged; stage one first');
  const readyAt = staged.createdAt + promotionDelay(timings);
  if (now < readyAt) {
    throw new SigningKeyError(
      'too_early',
      `key ${staged.kid} has been published for ${now - staged.createdAt} s; consumers may still cache a JWKS ` +
        `without it. Promote it in ${readyAt - now} s (at ${new Date(readyAt * 1000).toISOString()}).`,
    );
  }
  const previous = activeKey(set);
  return {
    version: 1,
    keys: set.keys.map((key): SigningKeyRecord => {
      if (key.kid === staged.kid) return { ...key, status: 'active', activatedAt: now };
      if (key.kid === previous.kid) return { ...key, status: 'retiring', retiringSince: now };
      return key;
    }),
  };
}

/** Step 3: withdraw retiring keys once nothing they signed can still be valid. */
export function retireKeys(set: SigningKeySet, now: number, timings: RotationTimings): SigningKeySet {
  const retiring = set.keys.filter((key) => key.status === 'retiring');
  if (retiring.length === 0) throw new SigningKeyError('nothing_to_retire', 'no key is retiring');
  const due = retiring.filter((key) => now >= (key.retiringSince ?? now) + retirementDelay(timings));
  if (due.length === 0) {
    const earliest = Math.min(
      ...retiring.map((key) => (key.retiringSince ?? now) + retirementDelay(timings)),
    );
    throw new SigningKeyError(
      'too_early',
      `tokens signed by the retiring key may still be valid; retire it in ${earliest - now} s ` +
        `(at ${new Date(earliest * 1000).toISOString()}).`,
    );
  }
  const dueKids = new Set(due.map((key) => key.kid));
  return { version: 1, keys: set.keys.filter((key) => !dueKids.has(key.kid)) };
}

/** The public half of every key, for the JWKS endpoint and for verifying tokens auth itself issued. */
export function publicJwks(set: SigningKeySet): { keys: JWK[] } {
  return {
    keys: orderedForPublication(set).map(({ privateJwk: { kty, crv, x, y, kid, alg, use } }) => ({
      kty,
      crv,
      x,
      y,
      kid,
      alg,
      use,
    })),
  };
}

/**
 * The key set in oidc-provider's `jwks` form. Only the active key may sign: the others carry
 * `key_ops: ["verify"]`, which oidc-provider's key selection honours, so a staged or retiring key is
 * published but never chosen to sign an ID token, whatever the order.
 */
export function providerJwks(set: SigningKeySet): { keys: JWK[] } {
  return {
    keys: orderedForPublication(set).map((key) =>
      key.status === 'active' ? { ...key.privateJwk } : { ...key.privateJwk, key_ops: ['verify'] },
    ),
  };
}

function orderedForPublication(set: SigningKeySet): SigningKeyRecord[] {
  const rank: Record<SigningKeyStatus, number> = { active: 0, staged: 1, retiring: 2 };
  return [...set.keys].sort((a, b) => rank[a.status] - rank[b.status]);
}
