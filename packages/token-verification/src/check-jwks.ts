// Decides whether a JSON Web Key Set is one a verifier may trust: a bounded list of public signature keys.
// Used for the configured set (a TypeError at start-up) and for every fetched set (`jwks_unavailable`).
import { createPublicKey } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';

/** A set larger than this is a misconfiguration or an attack on memory, not a key rotation. */
export const MAX_JWKS_KEYS = 100;
/** RFC 7518 §3.3 and §3.5: RSA keys of 2048 bits or more. */
const MIN_RSA_BITS = 2048;

const PUBLIC_KEY_TYPES: ReadonlySet<string> = new Set(['RSA', 'EC', 'OKP']);
// Members that only private or symmetric keys carry (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export type JwksCheck = { ok: true; jwks: JSONWebKeySet } | { ok: false; reason: string };

export function checkPublicJwks(value: unknown): JwksCheck {
  if (!isPlainObject(value) || !Array.isArray(value['keys'])) {
    return { ok: false, reason: 'must be an object with a "keys" array' };
  }
  const keys: unknown[] = value['keys'];
  if (keys.length === 0 || keys.length > MAX_JWKS_KEYS) {
    return { ok: false, reason: `must hold between 1 and ${MAX_JWKS_KEYS} keys` };
  }
  for (const key of keys) {
    const reason = findKeyProblem(key);
    if (reason !== undefined) return { ok: false, reason };
  }
  return { ok: true, jwks: value as unknown as JSONWebKeySet };
}

function findKeyProblem(key: unknown): string | undefined {
  if (!isPlainObject(key)) return 'keys must be objects';
  const kty = key['kty'];
  if (typeof kty !== 'string' || !PUBLIC_KEY_TYPES.has(kty)) {
    // "oct" lands here: a shared secret in a verification key set is how HS256 confusion starts.
    return 'keys must have kty RSA, EC or OKP';
  }
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(key, member))) {
    return 'keys must be public keys (no private or symmetric members)';
  }
  if (key['kid'] !== undefined && typeof key['kid'] !== 'string') return 'a "kid" must be a string';
  return findImportProblem(key);
}

function findImportProblem(key: Record<string, unknown>): string | undefined {
  // Importing each key up front turns a broken key (bad coordinates, point off the curve, short modulus)
  // into a refused set now, instead of a confusing failure on the first token that names it.
  let details: ReturnType<typeof createPublicKey>['asymmetricKeyDetails'];
  try {
    details = createPublicKey({ key, format: 'jwk' }).asymmetricKeyDetails;
  } catch {
    return 'keys must be valid public keys';
  }
  if (key['kty'] === 'RSA' && (details?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `RSA keys must have at least ${MIN_RSA_BITS} bits`;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
