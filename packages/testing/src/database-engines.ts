// Runs one behavioural suite on every storage engine a service supports: `describe.each(DATABASE_ENGINES)`,
// then `useTestDatabases(engine)` inside gives each test a fresh, empty database on that engine (a SQLite file
// in a temporary folder, or a new database on a real PostgreSQL server started for the file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll } from '@jest/globals';

import { startPostgresServer } from './postgres-server.js';
import type { PostgresServer } from './postgres-server.js';

export const DATABASE_ENGINES = ['sqlite', 'postgres'] as const;
export type DatabaseEngineName = (typeof DATABASE_ENGINES)[number];

/** Where a service's database is: the shape of service-kit's DatabaseLocation. */
export interface TestDatabaseLocation {
  readonly databaseUrl: URL | undefined;
  readonly sqliteFile: string;
}

export interface TestDatabases {
  /** A new empty database on the engine. */
  next(): Promise<TestDatabaseLocation>;
}

const SERVER_START_TIMEOUT_MS = 60_000;

/** Call inside a describe: registers the server's start and stop around it. */
export function useTestDatabases(engine: DatabaseEngineName): TestDatabases {
  let folder: string | undefined;
  let server: PostgresServer | undefined;
  let counter = 0;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'airlock-db-'));
    if (engine === 'postgres') server = await startPostgresServer();
  }, SERVER_START_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });
  return {
    async next(): Promise<TestDatabaseLocation> {
      if (folder === undefined) throw new Error('useTestDatabases: next() called outside a test');
      counter += 1;
      const sqliteFile = join(folder, `db-${String(counter)}`, 'service.db');
      if (engine === 'sqlite') return { databaseUrl: undefined, sqliteFile };
      if (server === undefined) throw new Error('useTestDatabases: the PostgreSQL server did not start');
      return { databaseUrl: new URL(await server.createDatabase()), sqliteFile };
    },
  };
}
