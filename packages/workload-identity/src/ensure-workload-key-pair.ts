// Gives a service its own ES256 key pair: generated at its first start into `<dataDir>/<service>/`, loaded
// on every later start. The private key file is 0600 and never leaves the folder; the public file is what
// auth reads to authenticate the service (private_key_jwt, RFC 7523).
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { WorkloadIdentityError } from './errors.js';
import { isAlreadyExists, isNotFound } from './fs-errors.js';
import {
  assertFileMode,
  workloadKeyPaths,
  type WorkloadKeyLocation,
  type WorkloadKeyPaths,
} from './key-files.js';
import {
  asJoseJwk,
  parsePrivateJwk,
  parsePublicJwk,
  publicPartOf,
  WORKLOAD_KEY_ALG,
  type WorkloadPrivateJwk,
  type WorkloadPublicJwk,
} from './workload-jwk.js';

export interface WorkloadKeyPair {
  /** Non-extractable: the key can sign assertions but cannot be exported from this process. */
  readonly privateKey: CryptoKey;
  readonly publicJwk: WorkloadPublicJwk;
  readonly kid: string;
}

/** Group and others may not even read the private key. */
const PRIVATE_FORBIDDEN_BITS = 0o077;

export async function ensureWorkloadKeyPair(location: WorkloadKeyLocation): Promise<WorkloadKeyPair> {
  const paths = workloadKeyPaths(location);
  // The folder stays listable so that auth (possibly another user) can read the public file; the
  // private file's own mode is what protects it.
  await mkdir(paths.dir, { recursive: true, mode: 0o755 });
  await mkdir(paths.publicDir, { recursive: true, mode: 0o755 });
  const privateJwk = (await readPrivateJwk(paths)) ?? (await createPrivateJwk(paths));
  const publicJwk = publicPartOf(privateJwk);
  await publishPublicJwk(paths, publicJwk);
  const privateKey = await importJWK(asJoseJwk(privateJwk), WORKLOAD_KEY_ALG, { extractable: false });
  // importJWK returns bytes only for symmetric keys, which parsePrivateJwk has already refused.
  if (privateKey instanceof Uint8Array) {
    throw new WorkloadIdentityError('invalid_key_file', `${paths.privateKey}: not an asymmetric key`);
  }
  return { privateKey, publicJwk, kid: publicJwk.kid };
}

async function readPrivateJwk(paths: WorkloadKeyPaths): Promise<WorkloadPrivateJwk | undefined> {
  let text: string;
  try {
    text = await readFile(paths.privateKey, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  await assertFileMode(paths.privateKey, PRIVATE_FORBIDDEN_BITS, 'private key file');
  return parsePrivateJwk(parseJson(text, paths.privateKey), paths.privateKey);
}

/**
 * Writes a fresh key under a temporary name and links it into place, which fails if another process won
 * the race: both then use the same key, and a half-written private key is never visible.
 */
async function createPrivateJwk(paths: WorkloadKeyPaths): Promise<WorkloadPrivateJwk> {
  const { privateKey } = await generateKeyPair(WORKLOAD_KEY_ALG, { extractable: true });
  const exported = await exportJWK(privateKey);
  const candidate = await parsePrivateJwk(
    { ...exported, alg: WORKLOAD_KEY_ALG, use: 'sig' },
    'generated key',
  );
  const temporary = `${paths.privateKey}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(candidate, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, paths.privateKey);
    return candidate;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const winner = await readPrivateJwk(paths);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await unlink(temporary);
  }
}

/** (Re)writes the public file from the private key, so it can never disagree with it. */
async function publishPublicJwk(paths: WorkloadKeyPaths, publicJwk: WorkloadPublicJwk): Promise<void> {
  const current = await readFile(paths.publicKey, 'utf8').catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (current !== undefined) {
    const parsed = await parsePublicJwk(parseJson(current, paths.publicKey), paths.publicKey).catch(
      () => undefined,
    );
    if (parsed?.kid === publicJwk.kid) {
      // Nobody but the owner may be able to swap the key that auth trusts.
      await chmod(paths.publicKey, 0o644);
      return;
    }
  }
  const temporary = `${paths.publicKey}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(publicJwk, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
  await rename(temporary, paths.publicKey);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new WorkloadIdentityError('invalid_key_file', `${path}: not valid JSON`, { cause });
  }
}
