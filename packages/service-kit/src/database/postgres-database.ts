// SqlDatabase over PostgreSQL (node-postgres pool), for services that run as several replicas. Statements use
// the same `?` placeholders as SQLite; write transactions take one advisory lock per database, so they are
// serialized across every replica exactly as SQLite's BEGIN IMMEDIATE serializes them across processes.
import pg from 'pg';
import type { PoolClient } from 'pg';

import { MigrationError } from '../sqlite/migrations.js';
import type { Migration } from '../sqlite/migrations.js';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sql-database.js';

/** Advisory lock keys (per database): one for write transactions, one for running migrations at start. */
const WRITE_LOCK_KEY = 0x6169_726c; // "airl"
const MIGRATION_LOCK_KEY = 0x6169_726d;
/** Connections per process; every replica has its own pool. */
const POOL_SIZE = 10;
/** A query that cannot get a connection or an answer fails instead of hanging the request. */
const CONNECT_TIMEOUT_MS = 5000;
const STATEMENT_TIMEOUT_MS = 10_000;
/**
 * An idle connection stays open this long (pg's default is 10 s). Readiness is probed every few seconds, and under
 * load the probes come more than 10 s apart: each one then paid a new connection and its SCRAM handshake (0.7 to
 * 2.2 s measured on Swarm at load 40), over the 2 s readiness bound, so the replica never became ready.
 */
const IDLE_TIMEOUT_MS = 60_000;

export async function openPostgresDatabase(url: URL, migrations: readonly Migration[]): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  // An idle connection that the server drops emits 'error' on the pool; without a listener it would crash the
  // process. The next query opens a new connection, or fails and the request is refused.
  pool.on('error', () => undefined);
  try {
    await runPostgresMigrations(pool, migrations);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const executor = (client: pg.Pool | PoolClient): SqlExecutor => ({
    all: async (sql, params = []) => (await client.query(numbered(sql), [...params])).rows as SqlRow[],
    get: async (sql, params = []) =>
      (await client.query(numbered(sql), [...params])).rows[0] as SqlRow | undefined,
    run: async (sql, params = []) => (await client.query(numbered(sql), [...params])).rowCount ?? 0,
  });
  return {
    engine: 'postgres',
    ...executor(pool),
    writeTransaction: (work) =>
      inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
        return work(executor(client));
      }),
    ping: async () => {
      try {
        const row = (await pool.query('SELECT 1 AS ok')).rows[0] as SqlRow | undefined;
        return row?.['ok'] === 1;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Brings the database to the latest schema under a session advisory lock, so two replicas starting at once
 * apply each migration once: the second waits, then finds them applied. Same table and rules as SQLite's.
 */
async function runPostgresMigrations(pool: pg.Pool, migrations: readonly Migration[]): Promise<number[]> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError('migrations_invalid', 'migrations must be numbered 1, 2, 3... without gaps');
    }
  });
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`);
      const row = (await client.query('SELECT MAX(version) AS version FROM schema_migrations')).rows[0] as
        SqlRow | undefined;
      const current = typeof row?.['version'] === 'number' ? row['version'] : 0;
      const latest = migrations.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new MigrationError(
          'database_too_new',
          `database is at schema version ${String(current)}, this build knows up to ${String(latest)}`,
        );
      }
      const applied: number[] = [];
      for (const migration of migrations) {
        if (migration.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [migration.version, migration.name, new Date().toISOString()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function inTransaction<T>(pool: pg.Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed: drop it from the pool instead of handing it to the next request.
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** `?` placeholders to PostgreSQL's `$1, $2...`; the shared SQL never has a `?` inside a literal. */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    index += 1;
    return `$${String(index)}`;
  });
}
