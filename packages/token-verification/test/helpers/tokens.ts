// Mints test tokens by hand, so tests can build exactly the malformed or hostile token an attacker would.
// Keys are generated per run with jose; nothing here is key material worth keeping.
import { createHmac, KeyObject, constants, sign } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { createTokenVerifier } from '../../src/index.js';
import type { TokenVerifier, TokenVerifierOptions } from '../../src/index.js';

export const ISSUER = 'https://auth.airlock.test';
export const AUDIENCE = 'orders';
/** A fixed instant (epoch seconds) every test clock starts from. */
export const NOW = 1_750_000_000;

export type TestAlgorithm = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface SigningKey {
  readonly alg: TestAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as published in a JWKS (with kid, alg and use). */
  readonly jwk: JWK;
}

export async function generateSigningKey(alg: TestAlgorithm, kid: string): Promise<SigningKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateKey: KeyObject.from(pair.privateKey),
    publicKey: KeyObject.from(pair.publicKey),
    jwk,
  };
}

/** A mutable clock in epoch ms, starting at NOW. */
export interface TestClock {
  now: () => number;
  advanceSeconds: (seconds: number) => void;
}

export function createClock(startSeconds = NOW): TestClock {
  let ms = startSeconds * 1000;
  return {
    now: () => ms,
    advanceSeconds: (seconds) => {
      ms += seconds * 1000;
    },
  };
}

export function standardClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    iat: NOW,
    exp: NOW + 300,
    jti: 'token-1',
    client_id: 'web-app',
    scope: 'orders:read orders:write',
    ...overrides,
  };
}

export const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

export interface MintOptions {
  /** Replaces the default header `{ alg, typ: 'at+jwt', kid }` members; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Claims merged over standardClaims(); `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Raw payload instead of claims, for non-object or broken payloads. */
  payloadText?: string | Uint8Array;
}

/** Signs a compact JWS with `key`; the header's alg may lie, which is the point of some tests. */
export function mint(key: SigningKey, options: MintOptions = {}): string {
  const header = dropUndefined({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header });
  const payload = options.payloadText ?? JSON.stringify(dropUndefined(standardClaims(options.claims)));
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
  return `${signingInput}.${b64url(signWith(key, signingInput))}`;
}

/** Builds header.payload with any header and payload text, and a caller-chosen signature segment. */
export function assemble(header: unknown, payloadText: string, signature: string): string {
  return `${b64url(JSON.stringify(header))}.${b64url(payloadText)}.${signature}`;
}

export function hs256(
  secret: string | Uint8Array,
  header: Record<string, unknown>,
  claims = standardClaims(),
) {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

function signWith(key: SigningKey, signingInput: string): Buffer {
  const data = Buffer.from(signingInput);
  switch (key.alg) {
    case 'ES256':
      return sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'ES384':
      return sign('sha384', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'RS256':
      return sign('sha256', data, key.privateKey);
    case 'PS256':
      return sign('sha256', data, {
        key: key.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
    case 'EdDSA':
      return sign(null, data, key.privateKey);
  }
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** A verifier with the house policy over the given keys and a frozen clock; overrides win. */
export function verifierFor(
  keys: readonly SigningKey[],
  overrides: Partial<TokenVerifierOptions> = {},
): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: { keys: keys.map((key) => key.jwk) },
    now: () => NOW * 1000,
    ...overrides,
  });
}

/** Resolves to the rejection's error, failing the test if verification succeeded. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the token to be rejected, but it was accepted');
}
