// A test issuer: an ES256 key pair and its JWKS generated per run, and a minter for tokens shaped like the ones
// the gateway relays here (typ at+jwt, aud image-processor, act gateway, scope images). Nothing here is a secret.
import { randomUUID } from 'node:crypto';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWTPayload } from 'jose';

export const TEST_ISSUER = 'http://127.0.0.1:8080/auth';

export interface MintOptions {
  /** Claims to set or override; `undefined` removes a default claim. */
  readonly claims?: Record<string, unknown>;
  readonly alg?: string;
  readonly typ?: string;
  /** Sign with this key instead of the issuer's (an attacker's key with the issuer's kid). */
  readonly key?: CryptoKey | Uint8Array;
}

export interface TestIssuer {
  readonly jwks: JSONWebKeySet;
  mint(options?: MintOptions): Promise<string>;
}

export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `test-${randomUUID()}`;
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  return { jwks, mint: (options = {}) => mintToken(privateKey, kid, options) };
}

async function mintToken(privateKey: CryptoKey, kid: string, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: TEST_ISSUER,
    sub: 'alice',
    aud: 'image-processor',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    client_id: 'airlock-cli',
    scope: 'images',
    act: { sub: 'gateway' },
    ...options.claims,
  };
  const payload: JWTPayload = Object.fromEntries(
    Object.entries(claims).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', typ: options.typ ?? 'at+jwt', kid })
    .sign(options.key ?? privateKey);
}

/** An unsigned token (`alg: none`), built by hand since jose refuses to produce one. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
}
