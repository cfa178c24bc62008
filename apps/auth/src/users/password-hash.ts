// Password hashing with node:crypto scrypt, in a self-describing string (`scrypt$N$r$p$salt$hash`), and a
// verification that takes the same time whether or not the user exists and whether or not the hash matches.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's scrypt baseline (N = 2^15, r = 8, p = 1): ~50 ms per hash on one core here. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Refuse to spend unbounded CPU on a password a client sent. */
export const MAX_PASSWORD_LENGTH = 1024;

const HASH_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (error, derived) => {
      if (error === null) resolve(derived);
      else reject(error);
    });
  });
}

function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  // Node's default memory cap (32 MiB) is below what N = 2^15, r = 8 needs (128 * N * r = 32 MiB plus overhead).
  return { N, r, p, maxmem: 256 * N * r };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const { N, r, p } = SCRYPT_PARAMS;
  const derived = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, scryptOptions(N, r, p));
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${derived.toString('base64url')}`;
}

export interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Undefined for anything that is not a hash this module could have written with sane parameters. */
export function parsePasswordHash(value: string): ParsedHash | undefined {
  const match = HASH_FORMAT.exec(value);
  if (match === null) return undefined;
  const [, n, r, p, salt, hash] = match;
  const N = Number(n);
  const params = { N, r: Number(r), p: Number(p) };
  const powerOfTwo = Number.isInteger(Math.log2(N));
  if (
    !powerOfTwo ||
    N < 2 ** 14 ||
    N > 2 ** 20 ||
    params.r < 1 ||
    params.r > 32 ||
    params.p < 1 ||
    params.p > 16
  ) {
    return undefined;
  }
  return {
    ...params,
    salt: Buffer.from(salt ?? '', 'base64url'),
    hash: Buffer.from(hash ?? '', 'base64url'),
  };
}

/** Constant-time comparison of the derived key with the stored one. */
export async function verifyPassword(password: string, stored: ParsedHash): Promise<boolean> {
  const derived = await scrypt(
    password.normalize('NFC'),
    stored.salt,
    stored.hash.length,
    scryptOptions(stored.N, stored.r, stored.p),
  );
  return timingSafeEqual(derived, stored.hash);
}
