// The keys that sign oidc-provider's cookies (session, interaction), generated at first start into
// `<dataDir>/auth/cookie-keys.json` (0600) rather than written in code, and kept across restarts so
// signed-in sessions survive them.
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const COOKIE_KEYS_FILE = 'cookie-keys.json';

export async function ensureCookieKeys(authDir: string): Promise<string[]> {
  const path = join(authDir, COOKIE_KEYS_FILE);
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) throw new Error(`${path} must be readable by its owner only (0600)`);
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((key) => typeof key === 'string' && key.length >= 32)
    ) {
      return parsed as string[];
    }
    throw new Error(`${path} must hold a JSON array of keys of at least 32 characters`);
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'))
      throw error;
  }
  const keys = [randomBytes(32).toString('base64url')];
  // 'wx': if another start wrote the file meanwhile, fail rather than overwrite its keys.
  await writeFile(path, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'wx' });
  return keys;
}
