// The shape of a workload key: ES256 (P-256), identified by its RFC 7638 thumbprint, and checks that a
// parsed file really is one. Auth trusts these files, so anything unexpected is refused, not repaired.
import { calculateJwkThumbprint, type JWK } from 'jose';
import { WorkloadIdentityError } from './errors.js';

export const WORKLOAD_KEY_ALG = 'ES256';

/** The public half as published to auth: no private member, `kid` = RFC 7638 thumbprint. */
export interface WorkloadPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: typeof WORKLOAD_KEY_ALG;
  readonly use: 'sig';
}

export interface WorkloadPrivateJwk extends WorkloadPublicJwk {
  readonly d: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function base64urlMember(jwk: Record<string, unknown>, name: string, path: string): string {
  const value = jwk[name];
  if (typeof value !== 'string' || !BASE64URL.test(value)) {
    throw new WorkloadIdentityError('invalid_key_file', `${path}: "${name}" must be a base64url string`);
  }
  return value;
}

async function checkedPublicPart(jwk: Record<string, unknown>, path: string): Promise<WorkloadPublicJwk> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new WorkloadIdentityError('invalid_key_file', `${path}: only EC P-256 (ES256) keys are accepted`);
  }
  if (jwk.alg !== undefined && jwk.alg !== WORKLOAD_KEY_ALG) {
    throw new WorkloadIdentityError('invalid_key_file', `${path}: "alg" must be ${WORKLOAD_KEY_ALG}`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new WorkloadIdentityError('invalid_key_file', `${path}: "use" must be "sig"`);
  }
  const x = base64urlMember(jwk, 'x', path);
  const y = base64urlMember(jwk, 'y', path);
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x, y }, 'sha256');
  // The kid names the key: a file whose kid does not match its key was edited by hand or swapped in part.
  if (jwk.kid !== undefined && jwk.kid !== kid) {
    throw new WorkloadIdentityError(
      'invalid_key_file',
      `${path}: "kid" is not the key's RFC 7638 thumbprint`,
    );
  }
  return { kty: 'EC', crv: 'P-256', x, y, kid, alg: WORKLOAD_KEY_ALG, use: 'sig' };
}

export async function parsePublicJwk(value: unknown, path: string): Promise<WorkloadPublicJwk> {
  if (!isRecord(value)) throw new WorkloadIdentityError('invalid_key_file', `${path}: not a JWK object`);
  const leaked = PRIVATE_MEMBERS.filter((member) => member in value);
  if (leaked.length > 0) {
    // A public key file that carries a private key would hand that key to whoever reads it (auth).
    throw new WorkloadIdentityError(
      'invalid_key_file',
      `${path}: a public key file must not contain private members (${leaked.join(', ')})`,
    );
  }
  return checkedPublicPart(value, path);
}

export async function parsePrivateJwk(value: unknown, path: string): Promise<WorkloadPrivateJwk> {
  if (!isRecord(value)) throw new WorkloadIdentityError('invalid_key_file', `${path}: not a JWK object`);
  const publicPart = await checkedPublicPart(value, path);
  return { ...publicPart, d: base64urlMember(value, 'd', path) };
}

export function publicPartOf(jwk: WorkloadPrivateJwk): WorkloadPublicJwk {
  const { kty, crv, x, y, kid, alg, use } = jwk;
  return { kty, crv, x, y, kid, alg, use };
}

/** jose wants its own JWK type; ours is a strict subset of it. */
export function asJoseJwk(jwk: WorkloadPublicJwk | WorkloadPrivateJwk): JWK {
  return { ...jwk };
}
