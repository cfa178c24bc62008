// Signs the short-lived client assertion a service presents to auth's token and introspection endpoints
// (private_key_jwt, RFC 7523 §2.2): iss = sub = the service, one audience, a fresh jti, a short life.
import { randomBytes } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';
import { assertServiceName } from './key-files.js';
import { WORKLOAD_KEY_ALG } from './workload-jwk.js';

export const DEFAULT_ASSERTION_LIFETIME_SECONDS = 60;
/** Auth refuses assertions that live longer; a stolen one is useful for minutes at most, and only once. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

export interface ClientAssertionOptions {
  /** The service's client_id at auth: its topology name. */
  readonly service: string;
  readonly privateKey: CryptoKey;
  readonly kid: string;
  /**
   * Auth's issuer identifier (e.g. `http://127.0.0.1:8080/auth`). A single audience, and the issuer rather
   * than an endpoint URL, so the assertion cannot be replayed at another server or endpoint family.
   */
  readonly audience: string;
  /** Defaults to the current time; tests pass a fixed clock. */
  readonly now?: Date;
  readonly lifetimeSeconds?: number;
}

export async function createClientAssertion(options: ClientAssertionOptions): Promise<string> {
  const { service, privateKey, kid, audience } = options;
  assertServiceName(service);
  if (typeof audience !== 'string' || audience.length === 0) {
    throw new TypeError('audience must be the issuer identifier of the authorization server');
  }
  if (typeof kid !== 'string' || kid.length === 0) throw new TypeError('kid must be a non-empty string');
  const lifetime = options.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw new TypeError(`lifetimeSeconds must be an integer from 1 to ${MAX_ASSERTION_LIFETIME_SECONDS}`);
  }
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: WORKLOAD_KEY_ALG, kid, typ: 'JWT' })
    .setIssuer(service)
    .setSubject(service)
    .setAudience(audience)
    .setJti(randomBytes(32).toString('base64url'))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .sign(privateKey);
}
