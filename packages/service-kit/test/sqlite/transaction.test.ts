// immediateTransaction: all of the work or none of it, and the work's own result or error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { describe, expect, it } from '@jest/globals';

import { immediateTransaction } from '../../src/sqlite/transaction.js';

function database(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE entries (id INTEGER PRIMARY KEY) STRICT');
  return db;
}

const count = (db: DatabaseSync): unknown => db.prepare('SELECT COUNT(*) AS n FROM entries').get()?.['n'];

describe('immediateTransaction', () => {
  it('commits the work and returns its result', () => {
    const db = database();
    const result = immediateTransaction(db, () => {
      db.prepare('INSERT INTO entries (id) VALUES (1), (2)').run();
      return 'done';
    });
    expect(result).toBe('done');
    expect(count(db)).toBe(2);
    expect(db.isTransaction).toBe(false);
    db.close();
  });

  it('rolls everything back when the work throws, and rethrows the same error', () => {
    const db = database();
    const failure = new Error('refused half-way');
    expect(() =>
      immediateTransaction(db, () => {
        db.prepare('INSERT INTO entries (id) VALUES (1)').run();
        throw failure;
      }),
    ).toThrow(failure);
    expect(count(db)).toBe(0);
    expect(db.isTransaction).toBe(false);
    db.close();
  });

  it('takes the write lock before the first read of the work: another connection cannot start writing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-service-kit-tx-'));
    try {
      const file = join(dir, 'lock.db');
      const db = new DatabaseSync(file);
      db.exec('CREATE TABLE entries (id INTEGER PRIMARY KEY) STRICT');
      const other = new DatabaseSync(file);
      immediateTransaction(db, () => {
        // Nothing written yet: a deferred BEGIN would hold no lock here, so the other writer would get in.
        db.prepare('SELECT COUNT(*) AS n FROM entries').get();
        expect(() => {
          other.exec('BEGIN IMMEDIATE');
        }).toThrow(/locked/);
      });
      other.exec('BEGIN IMMEDIATE');
      other.exec('COMMIT');
      other.close();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
