// Connection URLs that carry a password may come from a file instead of the environment (`<NAME>_FILE`): in the
// container stack each store's init writes them into a volume that only their service mounts, read-only, so the
// password is in neither the compose file nor `docker inspect`'s environment.
import { readFileSync } from 'node:fs';

import type { ConfigIssue, Env } from './config.js';

/** The variables that may be given as `<NAME>_FILE`. */
export const SECRET_FILE_VARIABLES: readonly string[] = ['AIRLOCK_DATABASE_URL', 'AIRLOCK_REDIS_URL'];
export const FILE_SUFFIX = '_FILE';
/** A connection URL is short; anything larger is not one. */
const MAX_SECRET_FILE_BYTES = 4096;

/** `env` with each `<NAME>_FILE` read into `<NAME>`; a file that cannot be read, or both set, is an issue. */
export function withSecretFiles(env: Env, issues: ConfigIssue[]): Env {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of SECRET_FILE_VARIABLES) {
    const path = env[`${name}${FILE_SUFFIX}`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined) {
      issues.push({ variable: `${name}${FILE_SUFFIX}`, reason: `must not be set together with ${name}` });
      continue;
    }
    try {
      const text = readFileSync(path, 'utf8').trim();
      if (text === '' || Buffer.byteLength(text) > MAX_SECRET_FILE_BYTES) {
        issues.push({ variable: `${name}${FILE_SUFFIX}`, reason: 'names an empty or oversized file' });
        continue;
      }
      resolved[name] = text;
    } catch (error) {
      // The code only (ENOENT, EACCES): never the file's contents.
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      issues.push({ variable: `${name}${FILE_SUFFIX}`, reason: `cannot be read (${code})` });
    }
  }
  return resolved;
}
