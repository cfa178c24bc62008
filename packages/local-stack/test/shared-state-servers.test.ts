// The long-running PostgreSQL and Redis of `./airlock start --shared-state`: real servers from Debian's packages,
// in a temporary data folder; one role per service that owns its database and can open no other; a restart keeps
// the data, the roles and the generated passwords, and stop() stops both.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSharedStateServers } from '../src/shared-state-servers.js';

const run = promisify(execFile);
const SERVICES = ['alpha', 'beta-two'];

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'airlock-shared-state-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function start() {
  return startSharedStateServers({
    dataDir,
    services: SERVICES,
    install: () => Promise.reject(new Error('PostgreSQL and redis-server are installed here')),
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await run('psql', [
    url,
    '--no-password',
    '--tuples-only',
    '--no-align',
    '--command',
    sql,
  ]);
  return stdout.trim();
}

describe('startSharedStateServers', () => {
  it('gives each service a database of its own, keeps data and passwords across a restart, stops both', async () => {
    const first = await start();
    const database = new URL(first.databaseUrlOf('beta-two'));
    const redis = new URL(first.redisUrl);
    try {
      expect(database.hostname).toBe('127.0.0.1');
      expect(database.pathname).toBe('/airlock_beta_two');
      expect(database.password.length).toBeGreaterThanOrEqual(24);
      // Its own role, not the cluster's superuser, with its password in a file only the owner may read.
      expect(database.username).toBe('airlock_beta_two');
      expect((await stat(join(dataDir, 'postgres', 'roles', 'airlock_beta_two'))).mode & 0o077).toBe(0);
      expect(redis.password.length).toBeGreaterThanOrEqual(24);
      await psql(
        first.databaseUrlOf('beta-two'),
        "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('yes')",
      );
    } finally {
      await first.stop();
    }
    expect(await accepts(Number(database.port))).toBe(false);
    expect(await accepts(Number(redis.port))).toBe(false);

    const second = await start();
    try {
      expect(new URL(second.databaseUrlOf('beta-two')).password).toBe(database.password);
      expect(new URL(second.redisUrl).password).toBe(redis.password);
      expect(await psql(second.databaseUrlOf('beta-two'), 'SELECT value FROM kept')).toBe('yes');
      expect(
        await psql(
          second.databaseUrlOf('beta-two'),
          'SELECT tableowner FROM pg_tables WHERE tablename = $$kept$$',
        ),
      ).toBe('airlock_beta_two');
      // The password is required: without it the server refuses.
      const withoutPassword = new URL(second.databaseUrlOf('alpha'));
      withoutPassword.password = '';
      await expect(psql(withoutPassword.href, 'SELECT 1')).rejects.toThrow();
    } finally {
      await second.stop();
    }
  }, 120_000);
  it("refuses a service's role everywhere but its own database, and gives it no powers", async () => {
    const servers = await start();
    try {
      const alpha = servers.databaseUrlOf('alpha');
      expect(await psql(alpha, 'SELECT current_user, current_database()')).toBe(
        'airlock_alpha|airlock_alpha',
      );
      // alpha's credentials on beta-two's database, and on the cluster's own: refused at connection.
      for (const other of ['/airlock_beta_two', '/postgres', '/template1']) {
        const elsewhere = new URL(alpha);
        elsewhere.pathname = other;
        await expect(psql(elsewhere.href, 'SELECT 1')).rejects.toThrow(/permission denied for database/);
      }
      expect(
        await psql(
          alpha,
          'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
        ),
      ).toBe('f|f|f');
      await expect(psql(alpha, 'CREATE DATABASE another')).rejects.toThrow(/permission denied/);
      expect(() => servers.databaseUrlOf('gamma')).toThrow(/gamma/);
    } finally {
      await servers.stop();
    }
  }, 120_000);
});
