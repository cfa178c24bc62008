// The database interface behaves the same on both engines: migrations once (also when two replicas start at
// once), write transactions all-or-nothing and serialized across processes, constraint errors recognised.
import { describe, expect, it } from '@jest/globals';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

import { isConstraintViolation, MigrationError, openServiceDatabase } from '../../src/database/index.js';
import type { EngineMigrations, SqlDatabase } from '../../src/database/index.js';
import { integerColumn } from '../../src/sqlite/row.js';

const migrations: EngineMigrations = {
  sqlite: [
    {
      version: 1,
      name: 'counter',
      sql: 'CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT',
    },
    { version: 2, name: 'one row', sql: 'INSERT INTO counter (id, n) VALUES (1, 0)' },
  ],
  postgres: [
    { version: 1, name: 'counter', sql: 'CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)' },
    { version: 2, name: 'one row', sql: 'INSERT INTO counter (id, n) VALUES (1, 0)' },
  ],
};

async function counter(db: SqlDatabase): Promise<number> {
  const row = await db.get('SELECT n FROM counter WHERE id = ?', [1]);
  if (row === undefined) throw new Error('no counter row');
  return integerColumn(row, 'n');
}

describe.each(DATABASE_ENGINES)('service database on %s', (engine) => {
  const databases = useTestDatabases(engine);

  it('applies each migration once, also when two replicas open the database at the same moment', async () => {
    const location = await databases.next();
    // SQLite is one process's file: its replicas share nothing, so only PostgreSQL opens twice at once.
    const opened =
      engine === 'postgres'
        ? await Promise.all([
            openServiceDatabase(location, migrations),
            openServiceDatabase(location, migrations),
          ])
        : [await openServiceDatabase(location, migrations)];
    try {
      const [first] = opened;
      if (first === undefined) throw new Error('nothing opened');
      expect(first.engine).toBe(engine);
      const versions = await first.all('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((row) => integerColumn(row, 'version'))).toEqual([1, 2]);
      expect(await counter(first)).toBe(0);
    } finally {
      await Promise.all(opened.map((db) => db.close()));
    }
  });

  it('refuses to start on a database a newer build migrated further', async () => {
    const location = await databases.next();
    const newer: EngineMigrations = {
      sqlite: [...migrations.sqlite, { version: 3, name: 'more', sql: 'UPDATE counter SET n = 1' }],
      postgres: [...migrations.postgres, { version: 3, name: 'more', sql: 'UPDATE counter SET n = 1' }],
    };
    await (await openServiceDatabase(location, newer)).close();
    const error = await openServiceDatabase(location, migrations).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'database_too_new' });
  });

  it('rolls a write transaction back whole when its work throws', async () => {
    const db = await openServiceDatabase(await databases.next(), migrations);
    try {
      await expect(
        db.writeTransaction(async (tx) => {
          await tx.run('UPDATE counter SET n = n + 1 WHERE id = ?', [1]);
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      expect(await counter(db)).toBe(0);
      expect(await db.ping()).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('serializes read-then-write transactions (PostgreSQL: across two handles, as two replicas)', async () => {
    const location = await databases.next();
    const first = await openServiceDatabase(location, migrations);
    // SQLite's lock is taken synchronously: two handles in one process would block each other's event loop,
    // so its one-handle-per-process queue is what is tested; across processes BEGIN IMMEDIATE serializes.
    const second = engine === 'postgres' ? await openServiceDatabase(location, migrations) : first;
    const replicas = engine === 'postgres' ? [first, second] : [first];
    try {
      const increments = Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? first : second).writeTransaction(async (tx) => {
          const row = await tx.get('SELECT n FROM counter WHERE id = ?', [1]);
          if (row === undefined) throw new Error('no counter row');
          // A yield between the read and the write: without serialization, increments would be lost.
          await new Promise((resolve) => setImmediate(resolve));
          return tx.run('UPDATE counter SET n = ? WHERE id = ?', [integerColumn(row, 'n') + 1, 1]);
        }),
      );
      await Promise.all(increments);
      expect(await counter(second)).toBe(40);
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
    }
  }, 30_000);

  it('recognises a constraint violation, and nothing else, as one', async () => {
    const db = await openServiceDatabase(await databases.next(), migrations);
    try {
      const duplicate = await db.run('INSERT INTO counter (id, n) VALUES (?, ?)', [1, 5]).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isConstraintViolation(duplicate)).toBe(true);
      const syntax = await db.run('INSERT INTO nowhere VALUES (1)').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(syntax).toMatchObject({ message: expect.stringContaining('nowhere') });
      expect(isConstraintViolation(syntax)).toBe(false);
    } finally {
      await db.close();
    }
  });
});
