// The harness starts a real server that answers on loopback with password authentication, gives each caller
// its own database, and leaves nothing behind when stopped.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { postgresBinDir, startPostgresServer } from '../src/postgres-server.js';
import type { PostgresServer } from '../src/postgres-server.js';

const run = promisify(execFile);

async function query(url: string, sql: string, password?: string): Promise<string> {
  const parsed = new URL(url);
  const { stdout } = await run(join(postgresBinDir(), 'psql'), ['--no-psqlrc', '-tA', '-c', sql, url], {
    env: {
      ...process.env,
      PGPASSWORD: password ?? decodeURIComponent(parsed.password),
      PGCONNECT_TIMEOUT: '5',
    },
  });
  return stdout.trim();
}

describe('startPostgresServer', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgresServer();
  }, 60_000);

  afterAll(async () => {
    await server.stop();
  });

  it('serves on 127.0.0.1 and gives each database its own name', async () => {
    const first = await server.createDatabase();
    const second = await server.createDatabase();
    expect(new URL(first).hostname).toBe('127.0.0.1');
    expect(first).not.toBe(second);
    expect(await query(first, 'SELECT current_database()')).toBe(new URL(first).pathname.slice(1));
  });

  it('refuses a wrong password', async () => {
    const url = new URL(await server.createDatabase());
    url.password = '';
    await expect(query(url.toString(), 'SELECT 1', 'wrong-password')).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('deletes its folder when stopped', async () => {
    const other = await startPostgresServer();
    const dataDir = await query(other.adminUrl, 'SHOW data_directory');
    expect(existsSync(dataDir)).toBe(true);
    await other.stop();
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
