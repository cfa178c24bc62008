// openSqliteDatabase: an owner-only file in an owner-only folder, WAL, FULL sync, foreign keys, a busy timeout,
// migrated; and a database that cannot be migrated is closed, not handed out half-open.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { MigrationError } from '../../src/sqlite/migrations.js';
import type { Migration } from '../../src/sqlite/migrations.js';
import { openSqliteDatabase } from '../../src/sqlite/open-database.js';

const migrations: readonly Migration[] = [
  { version: 1, name: 'owners', sql: 'CREATE TABLE owners (id TEXT PRIMARY KEY) STRICT;' },
  {
    version: 2,
    name: 'things',
    sql: 'CREATE TABLE things (owner TEXT NOT NULL REFERENCES owners (id)) STRICT;',
  },
];

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-service-kit-sqlite-'));
  file = join(dir, 'service', 'service.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function pragma(db: DatabaseSync, name: string): unknown {
  return db.prepare(`PRAGMA ${name}`).get()?.[name];
}

describe('openSqliteDatabase', () => {
  it('creates the folder and the file for their owner only', () => {
    openSqliteDatabase(file, migrations).close();
    expect(statSync(join(dir, 'service')).mode & 0o077).toBe(0);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('sets WAL, synchronous FULL, foreign keys and a 5 s busy timeout, and migrates', () => {
    const db = openSqliteDatabase(file, migrations);
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'synchronous')).toBe(2);
    expect(pragma(db, 'foreign_keys')).toBe(1);
    expect(db.prepare('PRAGMA busy_timeout').get()?.['timeout']).toBe(5000);
    expect(() => db.prepare("INSERT INTO things (owner) VALUES ('nobody')").run()).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()?.['v']).toBe(2);
    db.close();
  });

  it('keeps what was written across a reopen, and migrates only what is new', () => {
    const first = openSqliteDatabase(file, migrations.slice(0, 1));
    first.prepare("INSERT INTO owners (id) VALUES ('alice')").run();
    first.close();
    const second = openSqliteDatabase(file, migrations);
    expect(second.prepare('SELECT id FROM owners').all()).toEqual([{ id: 'alice' }]);
    second.close();
  });

  it('opens an in-memory database without touching the file system', () => {
    const db = openSqliteDatabase(':memory:', migrations);
    expect(db.prepare('SELECT COUNT(*) AS n FROM owners').get()?.['n']).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer build, and leaves no connection open', () => {
    openSqliteDatabase(file, migrations).close();
    expect(() => openSqliteDatabase(file, migrations.slice(0, 1))).toThrow(MigrationError);
    // An exclusive lock succeeds only if the refused open did not leave its connection behind.
    const raw = new DatabaseSync(file);
    raw.exec('PRAGMA locking_mode = EXCLUSIVE');
    raw.exec('BEGIN EXCLUSIVE');
    raw.exec('COMMIT');
    raw.close();
  });
});
