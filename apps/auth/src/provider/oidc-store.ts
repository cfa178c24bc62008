// oidc-provider's persistence on service-kit's database (SQLite by default, PostgreSQL for replicas): one
// table keyed by (model, SHA-256 of the id), so grants, sessions and tokens survive a restart and are shared
// by every auth replica, while a copy of the database yields no usable bearer token.
import { createHash } from 'node:crypto';

import { openServiceDatabase, postgresFromSqlite } from '@airlock/service-kit/database';
import type { DatabaseLocation, EngineMigrations, SqlDatabase, SqlRow } from '@airlock/service-kit/database';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * Models looked up by a secondary index (session uid, device user code) must keep their id in the payload,
 * because oidc-provider reads it from there. Every other model stores only the hash of its id: the id of an
 * access token, refresh token or code is the token itself.
 */
const KEEPS_ID_IN_PAYLOAD: ReadonlySet<string> = new Set(['Session', 'DeviceCode']);

const PURGE_INTERVAL_MS = 60_000;

// IF NOT EXISTS: auth databases made before the shared migration runner have this table already (recorded in
// their old `schema_migration` table), and the runner must adopt them, not fail on them.
// expires_at is in epoch milliseconds (BIGINT on PostgreSQL), consumed_at in epoch seconds.
const sqliteMigrations = [
  {
    version: 1,
    name: 'oidc models',
    sql: `CREATE TABLE IF NOT EXISTS oidc_model (
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
     CREATE INDEX IF NOT EXISTS oidc_model_grant ON oidc_model (model, grant_id) WHERE grant_id IS NOT NULL;
     CREATE INDEX IF NOT EXISTS oidc_model_user_code ON oidc_model (model, user_code_hash) WHERE user_code_hash IS NOT NULL;
     CREATE INDEX IF NOT EXISTS oidc_model_uid ON oidc_model (model, uid) WHERE uid IS NOT NULL;
     CREATE INDEX IF NOT EXISTS oidc_model_expires ON oidc_model (expires_at) WHERE expires_at IS NOT NULL;`,
  },
];

export const oidcMigrations: EngineMigrations = {
  sqlite: sqliteMigrations,
  postgres: postgresFromSqlite(sqliteMigrations).map((migration) => ({
    ...migration,
    // Epoch milliseconds do not fit PostgreSQL's 32-bit INTEGER.
    sql: migration.sql
      .replaceAll('expires_at INTEGER', 'expires_at BIGINT')
      .replaceAll('consumed_at INTEGER', 'consumed_at BIGINT'),
  })),
};

export function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

const LIVE_COLUMNS = 'SELECT payload, consumed_at FROM oidc_model';
const LIVE = '(expires_at IS NULL OR expires_at > ?)';

/** The store on the database `location` selects, migrated; `now` in epoch milliseconds, injectable for tests. */
export async function openOidcStore(
  location: DatabaseLocation,
  now: () => number = Date.now,
): Promise<OidcStore> {
  const store = new OidcStore(await openServiceDatabase(location, oidcMigrations), now);
  await store.purgeExpired();
  return store;
}

export class OidcStore {
  readonly #db: SqlDatabase;
  readonly #now: () => number;
  #purgeTimer: NodeJS.Timeout | undefined;

  constructor(db: SqlDatabase, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /** Deletes expired rows every minute (the timer does not keep the process alive). */
  startPurging(): void {
    this.#purgeTimer ??= setInterval(() => {
      // A failed purge is retried by the next tick; expired rows are never served meanwhile (LIVE).
      this.purgeExpired().catch(() => undefined);
    }, PURGE_INTERVAL_MS).unref();
  }

  purgeExpired(): Promise<number> {
    return this.#db.run('DELETE FROM oidc_model WHERE expires_at IS NOT NULL AND expires_at <= ?', [
      this.#now(),
    ]);
  }

  /** For readiness: the database answers a query. */
  ping(): Promise<boolean> {
    return this.#db.ping();
  }

  async close(): Promise<void> {
    if (this.#purgeTimer !== undefined) clearInterval(this.#purgeTimer);
    this.#purgeTimer = undefined;
    await this.#db.close();
  }

  adapterFor(model: string): Adapter {
    return new StoreAdapter(model, this);
  }

  async upsert(
    model: string,
    id: string,
    payload: AdapterPayload,
    expiresInSeconds: number | undefined,
  ): Promise<void> {
    const stored: Record<string, unknown> = { ...payload };
    if (!KEEPS_ID_IN_PAYLOAD.has(model)) delete stored.jti;
    const expiresAt =
      typeof expiresInSeconds === 'number' && Number.isFinite(expiresInSeconds)
        ? this.#now() + expiresInSeconds * 1000
        : null;
    await this.#db.run(
      `INSERT INTO oidc_model (model, id_hash, payload, grant_id, user_code_hash, uid, expires_at, consumed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (model, id_hash) DO UPDATE SET
         payload = excluded.payload, grant_id = excluded.grant_id, user_code_hash = excluded.user_code_hash,
         uid = excluded.uid, expires_at = excluded.expires_at`,
      [
        model,
        hashId(id),
        JSON.stringify(stored),
        payload.grantId ?? null,
        payload.userCode === undefined ? null : hashId(payload.userCode),
        payload.uid ?? null,
        expiresAt,
      ],
    );
  }

  async find(model: string, id: string): Promise<AdapterPayload | undefined> {
    const payload = await this.#live('id_hash', model, hashId(id));
    if (payload === undefined) return undefined;
    return KEEPS_ID_IN_PAYLOAD.has(model) ? payload : { ...payload, jti: id };
  }

  /** Whether an unexpired entry with this id hash exists: lets auth check a token it only knows by hash. */
  async existsByHash(model: string, idHash: string): Promise<boolean> {
    return (await this.#live('id_hash', model, idHash)) !== undefined;
  }

  findByUid(model: string, uid: string): Promise<AdapterPayload | undefined> {
    return this.#live('uid', model, uid);
  }

  findByUserCode(model: string, userCode: string): Promise<AdapterPayload | undefined> {
    return this.#live('user_code_hash', model, hashId(userCode));
  }

  async consume(model: string, id: string): Promise<void> {
    await this.#db.run('UPDATE oidc_model SET consumed_at = ? WHERE model = ? AND id_hash = ?', [
      Math.floor(this.#now() / 1000),
      model,
      hashId(id),
    ]);
  }

  /**
   * Marks a live entry consumed if no one did before: true for exactly one caller, across every replica (one
   * conditional UPDATE, atomic on SQLite and PostgreSQL). False when it is unknown, expired or already consumed.
   */
  async consumeOnce(model: string, id: string): Promise<boolean> {
    const nowMs = this.#now();
    const changed = await this.#db.run(
      `UPDATE oidc_model SET consumed_at = ? WHERE model = ? AND id_hash = ? AND consumed_at IS NULL AND ${LIVE}`,
      [Math.floor(nowMs / 1000), model, hashId(id), nowMs],
    );
    return changed === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_model WHERE model = ? AND id_hash = ?', [model, hashId(id)]);
  }

  /** The id hashes of one grant's rows of a model (revocation reporting reads them before revoking). */
  async idHashesOfGrant(model: string, grantId: string): Promise<string[]> {
    const rows = await this.#db.all('SELECT id_hash FROM oidc_model WHERE model = ? AND grant_id = ?', [
      model,
      grantId,
    ]);
    return rows.flatMap((row) => {
      const idHash = row['id_hash'];
      return typeof idHash === 'string' ? [idHash] : [];
    });
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_model WHERE model = ? AND grant_id = ?', [model, grantId]);
  }

  /** The unexpired entry of `model` whose `column` is `value`; the column is one of three fixed names. */
  async #live(
    column: 'id_hash' | 'uid' | 'user_code_hash',
    model: string,
    value: string,
  ): Promise<AdapterPayload | undefined> {
    const row = await this.#db.get(`${LIVE_COLUMNS} WHERE model = ? AND ${column} = ? AND ${LIVE}`, [
      model,
      value,
      this.#now(),
    ]);
    return row === undefined ? undefined : toPayload(row);
  }
}

function toPayload(row: SqlRow): AdapterPayload {
  const payload = row['payload'];
  if (typeof payload !== 'string') throw new TypeError('column "payload" is not text');
  const parsed = JSON.parse(payload) as AdapterPayload;
  const consumed = row['consumed_at'];
  // node-postgres returns BIGINT as a string; SQLite returns a number.
  if (consumed === null || consumed === undefined) return parsed;
  const seconds = Number(consumed);
  if (!Number.isSafeInteger(seconds)) throw new TypeError('column "consumed_at" is not an integer');
  return { ...parsed, consumed: seconds };
}

/** One model's view of the store, in the shape oidc-provider asks of an adapter. */
class StoreAdapter implements Adapter {
  readonly #model: string;
  readonly #store: OidcStore;

  constructor(model: string, store: OidcStore) {
    this.#model = model;
    this.#store = store;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<undefined> {
    await this.#store.upsert(this.#model, id, payload, expiresIn);
    return undefined;
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.find(this.#model, id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#store.findByUid(this.#model, uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#store.findByUserCode(this.#model, userCode);
  }

  async consume(id: string): Promise<undefined> {
    await this.#store.consume(this.#model, id);
    return undefined;
  }

  async destroy(id: string): Promise<undefined> {
    await this.#store.destroy(this.#model, id);
    return undefined;
  }

  async revokeByGrantId(grantId: string): Promise<undefined> {
    await this.#store.revokeByGrantId(this.#model, grantId);
    return undefined;
  }
}
