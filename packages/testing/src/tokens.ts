// A test issuer: an ES256 key pair and its JWKS, generated per test run, and a minter for access tokens
// shaped like auth's (typ at+jwt, single audience, jti, short life). Only for tests: nothing here is a secret.
import { randomUUID } from 'node:crypto';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWTPayload } from 'jose';

export const TEST_ISSUER = 'http://127.0.0.1:8080/auth';

export interface TestIssuerOptions {
  /** The `aud` of every token, unless a mint sets another: the service under test. */
  readonly audience: string;
  /**
   * Claims every token carries on top of auth's (e.g. the `scope` and `act` of what the gateway relays), unless
   * a mint overrides or removes them.
   */
  readonly claims?: Record<string, unknown>;
}

export interface MintOptions {
  /** Claims to set or override; `undefined` removes a default claim. */
  readonly claims?: Record<string, unknown>;
  readonly alg?: string;
  readonly typ?: string;
  /** Sign with this key instead of the issuer's (an attacker's key with the issuer's kid). */
  readonly key?: CryptoKey | Uint8Array;
  readonly kid?: string;
}

export interface TestIssuer {
  readonly jwks: JSONWebKeySet;
  readonly kid: string;
  mint(options?: MintOptions): Promise<string>;
}

export async function createTestIssuer(options: TestIssuerOptions): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `test-${randomUUID()}`;
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  return {
    jwks,
    kid,
    mint: (mintOptions = {}) => mintToken(privateKey, kid, options, mintOptions),
  };
}

async function mintToken(
  privateKey: CryptoKey,
  kid: string,
  defaults: TestIssuerOptions,
  options: MintOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: TEST_ISSUER,
    sub: 'alice',
    aud: defaults.audience,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    client_id: 'airlock-cli',
    ...defaults.claims,
    ...options.claims,
  };
  const payload: JWTPayload = Object.fromEntries(
    Object.entries(claims).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: options.alg ?? 'ES256',
      typ: options.typ ?? 'at+jwt',
      kid: options.kid ?? kid,
    })
    .sign(options.key ?? privateKey);
}

/** An unsigned token (`alg: none`), built by hand since jose refuses to produce one. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
}
