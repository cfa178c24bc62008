// Reads and writes `<dataDir>/auth/signing-keys.json` (mode 0600, never committed). Writes are atomic
// (temporary file, then rename), so the running auth, which watches the file, never sees half a key set.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { SigningKeyError } from './signing-key-error.js';
import {
  activeKey,
  initialKeySet,
  SIGNING_ALG,
  type SigningKeyRecord,
  type SigningKeySet,
  type SigningKeyStatus,
} from './signing-key-set.js';

export const SIGNING_KEYS_FILE = 'signing-keys.json';

export function signingKeysPath(authDir: string): string {
  return join(authDir, SIGNING_KEYS_FILE);
}

/** Loads the key set, generating the first key when there is none yet (first start). */
export async function ensureSigningKeySet(authDir: string, now: number): Promise<SigningKeySet> {
  const existing = await readSigningKeySet(authDir);
  if (existing !== undefined) return existing;
  await mkdir(authDir, { recursive: true, mode: 0o700 });
  const fresh = await initialKeySet(now);
  const path = signingKeysPath(authDir);
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temporary, serialize(fresh), { mode: 0o600, flag: 'wx' });
  try {
    // link fails if another process created the file meanwhile; then both use that one.
    await link(temporary, path);
    return fresh;
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
    const winner = await readSigningKeySet(authDir);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await unlink(temporary);
  }
}

export async function readSigningKeySet(authDir: string): Promise<SigningKeySet | undefined> {
  const path = signingKeysPath(authDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) {
    throw new SigningKeyError(
      'insecure_key_file',
      `${path} has mode ${(mode & 0o777).toString(8)}; private signing keys must be readable by their owner only (0600)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new SigningKeyError('invalid_key_file', `${path} is not valid JSON`, { cause });
  }
  return parseKeySet(parsed, path);
}

export async function writeSigningKeySet(authDir: string, set: SigningKeySet): Promise<void> {
  await parseKeySet(JSON.parse(serialize(set)) as unknown, 'new key set');
  await mkdir(authDir, { recursive: true, mode: 0o700 });
  const path = signingKeysPath(authDir);
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temporary, serialize(set), { mode: 0o600, flag: 'wx' });
  await rename(temporary, path);
}

function serialize(set: SigningKeySet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}

const STATUSES: ReadonlySet<string> = new Set<SigningKeyStatus>(['staged', 'active', 'retiring']);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

async function parseKeySet(value: unknown, path: string): Promise<SigningKeySet> {
  const invalid = (why: string) => new SigningKeyError('invalid_key_file', `${path}: ${why}`);
  if (!isRecord(value) || value.version !== 1 || !Array.isArray(value.keys)) {
    throw invalid('expected { "version": 1, "keys": [...] }');
  }
  const keys: SigningKeyRecord[] = [];
  for (const entry of value.keys as unknown[]) keys.push(await parseKey(entry, invalid));
  if (new Set(keys.map((key) => key.kid)).size !== keys.length) throw invalid('duplicate kid');
  if (keys.filter((key) => key.status === 'staged').length > 1) throw invalid('more than one staged key');
  const set: SigningKeySet = { version: 1, keys };
  activeKey(set);
  return set;
}

async function parseKey(
  entry: unknown,
  invalid: (why: string) => SigningKeyError,
): Promise<SigningKeyRecord> {
  if (!isRecord(entry) || !isRecord(entry.privateJwk)) throw invalid('each key needs a privateJwk');
  const { status, createdAt, activatedAt, retiringSince, privateJwk: jwk } = entry;
  if (typeof status !== 'string' || !STATUSES.has(status)) throw invalid('unknown key status');
  if (!isEpoch(createdAt) || !isOptionalEpoch(activatedAt) || !isOptionalEpoch(retiringSince)) {
    throw invalid('key timestamps must be epoch seconds');
  }
  if (status === 'retiring' && retiringSince === undefined)
    throw invalid('a retiring key needs retiringSince');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || jwk.alg !== SIGNING_ALG || jwk.use !== 'sig') {
    throw invalid(`signing keys must be EC P-256 for ${SIGNING_ALG}`);
  }
  const { x, y, d } = jwk;
  if (![x, y, d].every((member) => typeof member === 'string' && BASE64URL.test(member))) {
    throw invalid('x, y and d must be base64url strings');
  }
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: String(x), y: String(y) }, 'sha256');
  if (entry.kid !== kid || jwk.kid !== kid) throw invalid('kid must be the key thumbprint (RFC 7638)');
  return {
    kid,
    status: status as SigningKeyStatus,
    createdAt,
    ...(activatedAt === undefined ? {} : { activatedAt }),
    ...(retiringSince === undefined ? {} : { retiringSince }),
    privateJwk: {
      kty: 'EC',
      crv: 'P-256',
      x: String(x),
      y: String(y),
      d: String(d),
      kid,
      alg: SIGNING_ALG,
      use: 'sig',
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isOptionalEpoch(value: unknown): value is number | undefined {
  return value === undefined || isEpoch(value);
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
