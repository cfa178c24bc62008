// The migration runner: numbered migrations applied once each, in order, each all or nothing; a database from
// a newer build, or a list with gaps, refused with a stable code.
import { DatabaseSync } from 'node:sqlite';

import { describe, expect, it } from '@jest/globals';

import { MigrationError, currentVersion, runMigrations } from '../../src/sqlite/migrations.js';
import type { Migration } from '../../src/sqlite/migrations.js';

const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'notes',
    sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;',
  },
  { version: 2, name: 'seed', sql: "INSERT INTO notes (body) VALUES ('first');" },
  {
    version: 3,
    name: 'tags',
    sql: 'CREATE TABLE tags (note_id INTEGER NOT NULL, tag TEXT NOT NULL) STRICT;',
  },
];

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MigrationError) return error.code;
    throw error;
  }
  throw new Error('expected a MigrationError');
}

describe('runMigrations', () => {
  it('applies every migration once, in order, records each, and applies nothing on a second run', () => {
    const db = new DatabaseSync(':memory:');
    expect(runMigrations(db, [])).toEqual([]);
    expect(currentVersion(db)).toBe(0);
    expect(runMigrations(db, migrations)).toEqual([1, 2, 3]);
    const recorded = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(recorded.map((row) => [row['version'], row['name']])).toEqual([
      [1, 'notes'],
      [2, 'seed'],
      [3, 'tags'],
    ]);
    expect(runMigrations(db, migrations)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()?.['n']).toBe(1);
    expect(currentVersion(db)).toBe(3);
    db.close();
  });

  it('upgrades a database from an older version with the missing migrations only', () => {
    const db = new DatabaseSync(':memory:');
    expect(runMigrations(db, migrations.slice(0, 1))).toEqual([1]);
    expect(runMigrations(db, migrations)).toEqual([2, 3]);
    db.close();
  });

  it('refuses a database written by a newer build (database_too_new), and changes nothing', () => {
    const db = new DatabaseSync(':memory:');
    runMigrations(db, migrations);
    expect(codeOf(() => runMigrations(db, migrations.slice(0, 2)))).toBe('database_too_new');
    expect(currentVersion(db)).toBe(3);
    db.close();
  });

  it('refuses migrations that are not numbered 1, 2, 3', () => {
    const db = new DatabaseSync(':memory:');
    expect(() => runMigrations(db, [{ version: 2, name: 'gap', sql: 'SELECT 1' }])).toThrow(MigrationError);
    db.close();
  });

  it('refuses gaps and repeats with migrations_invalid before touching the database', () => {
    const db = new DatabaseSync(':memory:');
    const [first, second] = migrations;
    if (first === undefined || second === undefined) throw new Error('fixture');
    expect(codeOf(() => runMigrations(db, [first, first]))).toBe('migrations_invalid');
    expect(codeOf(() => runMigrations(db, [second, first]))).toBe('migrations_invalid');
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'notes'").get()?.['n']).toBe(0);
    db.close();
  });

  it('rolls a failing migration back completely', () => {
    const db = new DatabaseSync(':memory:');
    const broken = [
      { version: 1, name: 'broken', sql: 'CREATE TABLE a (x INTEGER); CREATE TABLE a (y INTEGER);' },
    ];
    expect(() => runMigrations(db, broken)).toThrow();
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'a'").get()?.['n']).toBe(0);
    db.close();
  });

  it('keeps the migrations before a failing one, and records nothing for the failing one', () => {
    const db = new DatabaseSync(':memory:');
    const [first] = migrations;
    if (first === undefined) throw new Error('fixture');
    expect(() =>
      runMigrations(db, [first, { version: 2, name: 'broken', sql: 'INSERT INTO missing VALUES (1)' }]),
    ).toThrow();
    expect(currentVersion(db)).toBe(1);
    db.close();
  });
});
