// oidc-provider's persistence on node:sqlite: one table keyed by (model, SHA-256 of the id), so grants,
// sessions and tokens survive a restart while a copy of the database yields no usable bearer token.
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * Models looked up by a secondary index (session uid, device user code) must keep their id in the payload,
 * because oidc-provider reads it from there. Every other model stores only the hash of its id: the id of an
 * access token, refresh token or code is the token itself.
 */
const KEEPS_ID_IN_PAYLOAD: ReadonlySet<string> = new Set(['Session', 'DeviceCode']);

const PURGE_INTERVAL_MS = 60_000;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE oidc_model (
     model TEXT NOT NULL,
     id_hash TEXT NOT NULL,
     payload TEXT NOT NULL,
     grant_id TEXT,
     user_code_hash TEXT,
     uid TEXT,
     expires_at INTEGER,
     consumed_at INTEGER,
     PRIMARY KEY (model, id_hash)
   ) WITHOUT ROWID;
   CREATE INDEX oidc_model_grant ON oidc_model (model, grant_id) WHERE grant_id IS NOT NULL;
   CREATE INDEX oidc_model_user_code ON oidc_model (model, user_code_hash) WHERE user_code_hash IS NOT NULL;
   CREATE INDEX oidc_model_uid ON oidc_model (model, uid) WHERE uid IS NOT NULL;
   CREATE INDEX oidc_model_expires ON oidc_model (expires_at) WHERE expires_at IS NOT NULL;`,
];

export function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

interface Row {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

function isRow(value: unknown): value is Row {
  return (
    typeof value === 'object' && value !== null && 'payload' in value && typeof value.payload === 'string'
  );
}

export class SqliteStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  #purgeTimer: NodeJS.Timeout | undefined;

  /** `now` in epoch milliseconds; injectable for tests. */
  constructor(path: string, now: () => number = Date.now) {
    if (path !== ':memory:') {
      // Create the file owner-only before SQLite does; its WAL and shared-memory files inherit the mode.
      closeSync(openSync(path, 'a', 0o600));
    }
    this.#db = new DatabaseSync(path);
    this.#now = now;
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    this.#migrate();
    this.purgeExpired();
  }

  #migrate(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY)');
    const row: unknown = this.#db.prepare('SELECT MAX(version) AS version FROM schema_migration').get();
    const current =
      typeof row === 'object' && row !== null && 'version' in row && typeof row.version === 'number'
        ? row.version
        : 0;
    MIGRATIONS.forEach((sql, index) => {
      const version = index + 1;
      if (version <= current) return;
      this.#db.exec('BEGIN');
      try {
        this.#db.exec(sql);
        this.#db.prepare('INSERT INTO schema_migration (version) VALUES (?)').run(version);
        this.#db.exec('COMMIT');
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /** Deletes expired rows now and then every minute (the timer does not keep the process alive). */
  startPurging(): void {
    this.#purgeTimer ??= setInterval(() => {
      this.purgeExpired();
    }, PURGE_INTERVAL_MS).unref();
  }

  purgeExpired(): number {
    const result = this.#db
      .prepare('DELETE FROM oidc_model WHERE expires_at IS NOT NULL AND expires_at <= ?')
      .run(this.#now());
    return Number(result.changes);
  }

  /** For readiness: the database answers a query. */
  ping(): boolean {
    return this.#db.isOpen && this.#db.prepare('SELECT 1 AS ok').get() !== undefined;
  }

  close(): void {
    if (this.#purgeTimer !== undefined) clearInterval(this.#purgeTimer);
    this.#purgeTimer = undefined;
    if (this.#db.isOpen) this.#db.close();
  }

  adapterFor(model: string): Adapter {
    return new SqliteAdapter(model, this);
  }

  upsert(model: string, id: string, payload: AdapterPayload, expiresInSeconds: number | undefined): void {
    const stored: Record<string, unknown> = { ...payload };
    if (!KEEPS_ID_IN_PAYLOAD.has(model)) delete stored.jti;
    const expiresAt =
      typeof expiresInSeconds === 'number' && Number.isFinite(expiresInSeconds)
        ? this.#now() + expiresInSeconds * 1000
        : null;
    this.#db
      .prepare(
        `INSERT INTO oidc_model (model, id_hash, payload, grant_id, user_code_hash, uid, expires_at, consumed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (model, id_hash) DO UPDATE SET
           payload = excluded.payload, grant_id = excluded.grant_id, user_code_hash = excluded.user_code_hash,
           uid = excluded.uid, expires_at = excluded.expires_at`,
      )
      .run(
        model,
        hashId(id),
        JSON.stringify(stored),
        payload.grantId ?? null,
        payload.userCode === undefined ? null : hashId(payload.userCode),
        payload.uid ?? null,
        expiresAt,
      );
  }

  find(model: string, id: string): AdapterPayload | undefined {
    const row: unknown = this.#db
      .prepare('SELECT payload, expires_at, consumed_at FROM oidc_model WHERE model = ? AND id_hash = ?')
      .get(model, hashId(id));
    const payload = this.#live(row);
    if (payload === undefined) return undefined;
    return KEEPS_ID_IN_PAYLOAD.has(model) ? payload : { ...payload, jti: id };
  }

  /** Whether an unexpired entry with this id hash exists: lets auth check a token it only knows by hash. */
  existsByHash(model: string, idHash: string): boolean {
    const row: unknown = this.#db
      .prepare('SELECT payload, expires_at, consumed_at FROM oidc_model WHERE model = ? AND id_hash = ?')
      .get(model, idHash);
    return this.#live(row) !== undefined;
  }

  findByUid(model: string, uid: string): AdapterPayload | undefined {
    const row: unknown = this.#db
      .prepare('SELECT payload, expires_at, consumed_at FROM oidc_model WHERE model = ? AND uid = ?')
      .get(model, uid);
    return this.#live(row);
  }

  findByUserCode(model: string, userCode: string): AdapterPayload | undefined {
    const row: unknown = this.#db
      .prepare(
        'SELECT payload, expires_at, consumed_at FROM oidc_model WHERE model = ? AND user_code_hash = ?',
      )
      .get(model, hashId(userCode));
    return this.#live(row);
  }

  consume(model: string, id: string): void {
    this.#db
      .prepare('UPDATE oidc_model SET consumed_at = ? WHERE model = ? AND id_hash = ?')
      .run(Math.floor(this.#now() / 1000), model, hashId(id));
  }

  destroy(model: string, id: string): void {
    this.#db.prepare('DELETE FROM oidc_model WHERE model = ? AND id_hash = ?').run(model, hashId(id));
  }

  /** The id hashes of one grant's rows of a model (revocation reporting reads them before revoking). */
  idHashesOfGrant(model: string, grantId: string): string[] {
    const rows: unknown[] = this.#db
      .prepare('SELECT id_hash FROM oidc_model WHERE model = ? AND grant_id = ?')
      .all(model, grantId);
    return rows.flatMap((row) =>
      typeof row === 'object' && row !== null && 'id_hash' in row && typeof row.id_hash === 'string'
        ? [row.id_hash]
        : [],
    );
  }

  revokeByGrantId(model: string, grantId: string): void {
    this.#db.prepare('DELETE FROM oidc_model WHERE model = ? AND grant_id = ?').run(model, grantId);
  }

  #live(row: unknown): AdapterPayload | undefined {
    if (!isRow(row)) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.#now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at === null ? payload : { ...payload, consumed: row.consumed_at };
  }
}

/** One model's view of the store, in the shape oidc-provider asks of an adapter. */
class SqliteAdapter implements Adapter {
  readonly #model: string;
  readonly #store: SqliteStore;

  constructor(model: string, store: SqliteStore) {
    this.#model = model;
    this.#store = store;
  }

  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<undefined> {
    this.#store.upsert(this.#model, id, payload, expiresIn);
    return Promise.resolve(undefined);
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.#store.find(this.#model, id));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.#store.findByUid(this.#model, uid));
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.#store.findByUserCode(this.#model, userCode));
  }

  consume(id: string): Promise<undefined> {
    this.#store.consume(this.#model, id);
    return Promise.resolve(undefined);
  }

  destroy(id: string): Promise<undefined> {
    this.#store.destroy(this.#model, id);
    return Promise.resolve(undefined);
  }

  revokeByGrantId(grantId: string): Promise<undefined> {
    this.#store.revokeByGrantId(this.#model, grantId);
    return Promise.resolve(undefined);
  }
}
