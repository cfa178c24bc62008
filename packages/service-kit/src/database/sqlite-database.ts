// SqlDatabase over node:sqlite. node:sqlite is synchronous and one connection has one transaction at a time,
// so every statement goes through one in-process queue: an await inside a write transaction cannot let
// another request's statement run on the same connection in the middle of it.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';

import type { SqlDatabase, SqlExecutor, SqlParam, SqlRow } from './sql-database.js';

export function sqliteDatabase(db: DatabaseSync): SqlDatabase {
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };
  const direct: SqlExecutor = {
    all: (sql, params = []) => Promise.resolve(db.prepare(sql).all(...bind(params))),
    get: (sql, params = []) => Promise.resolve(db.prepare(sql).get(...bind(params)) as SqlRow | undefined),
    run: (sql, params = []) => Promise.resolve(Number(db.prepare(sql).run(...bind(params)).changes)),
  };
  return {
    engine: 'sqlite',
    all: (sql, params) => serialized(() => direct.all(sql, params)),
    get: (sql, params) => serialized(() => direct.get(sql, params)),
    run: (sql, params) => serialized(() => direct.run(sql, params)),
    writeTransaction: (work) =>
      serialized(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    ping: () =>
      serialized(() => Promise.resolve(db.isOpen && db.prepare('SELECT 1 AS ok').get()?.['ok'] === 1)),
    close: () =>
      serialized(() => {
        if (db.isOpen) db.close();
        return Promise.resolve();
      }),
  };
}

function bind(params: readonly SqlParam[]): SQLInputValue[] {
  return [...params];
}
