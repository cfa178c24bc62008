// `<NAME>_FILE`: a connection URL with a password read from a file the container stack mounts read-only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

import { ConfigError } from '../src/config.js';
import { parseServiceConfig, type ServiceBaseConfig } from '../src/service-config.js';

const folder = mkdtempSync(join(tmpdir(), 'airlock-secret-files-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const baseOf = (env: Record<string, string>): ServiceBaseConfig =>
  parseServiceConfig({ service: 'orders', variables: {}, build: (base) => base }, env);

/** A connection URL with a password generated for this run (no credential in the repository). */
function urlWithPassword(scheme: string, user: string, rest: string): { url: string; password: string } {
  const url = new URL(`${scheme}://${rest}`);
  const password = randomBytes(12).toString('hex');
  url.username = user;
  url.password = password;
  return { url: url.href, password };
}

function issuesOf(env: Record<string, string>): { variable: string; reason: string }[] {
  try {
    baseOf(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('AIRLOCK_DATABASE_URL_FILE', () => {
  it('reads the database URL from the file, without its trailing newline', () => {
    const file = join(folder, 'url');
    const { url } = urlWithPassword('postgres', 'orders', 'postgres-orders:5432/orders');
    writeFileSync(file, `${url}\n`);
    expect(baseOf({ AIRLOCK_DATABASE_URL_FILE: file }).databaseUrl?.href).toBe(url);
  });

  it('refuses a missing file, naming the variable and the error code but no path contents', () => {
    const issues = issuesOf({ AIRLOCK_DATABASE_URL_FILE: join(folder, 'missing') });
    expect(issues).toEqual([{ variable: 'AIRLOCK_DATABASE_URL_FILE', reason: 'cannot be read (ENOENT)' }]);
  });

  it('refuses the variable and its file together', () => {
    const file = join(folder, 'both');
    const { url } = urlWithPassword('postgres', 'a', 'h/db');
    writeFileSync(file, url);
    const issues = issuesOf({ AIRLOCK_DATABASE_URL_FILE: file, AIRLOCK_DATABASE_URL: url });
    expect(issues.map((issue) => issue.variable)).toEqual(['AIRLOCK_DATABASE_URL_FILE']);
  });

  it('validates what the file holds like the variable itself, without quoting it', () => {
    const file = join(folder, 'bad');
    const { url, password } = urlWithPassword('mysql', 'root', 'h/db');
    writeFileSync(file, url);
    const issues = issuesOf({ AIRLOCK_DATABASE_URL_FILE: file });
    expect(issues.map((issue) => issue.variable)).toEqual(['AIRLOCK_DATABASE_URL']);
    expect(JSON.stringify(issues)).not.toContain(password);
  });
});
