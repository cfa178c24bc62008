// The store as oidc-provider uses it, on both engines: upsert/find round trips, consume, expiry, secondary
// indexes, grant revocation, purging, and ids stored only as hashes.
import { afterEach, describe, expect, it } from '@jest/globals';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

import { hashId, openOidcStore } from '../../src/provider/oidc-store.js';
import type { OidcStore } from '../../src/provider/oidc-store.js';

describe.each(DATABASE_ENGINES)('OidcStore on %s', (engine) => {
  const databases = useTestDatabases(engine);
  const opened: OidcStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  async function storeAt(clock: { now: number }): Promise<OidcStore> {
    const store = await openOidcStore(await databases.next(), () => clock.now);
    opened.push(store);
    return store;
  }

  it('finds what it stored, with the id restored, until it expires', async () => {
    const clock = { now: 1_000_000 };
    const adapter = (await storeAt(clock)).adapterFor('AccessToken');
    await adapter.upsert('token-value', { jti: 'token-value', accountId: 'alice', grantId: 'g1' }, 60);
    expect(await adapter.find('token-value')).toEqual({
      jti: 'token-value',
      accountId: 'alice',
      grantId: 'g1',
    });
    clock.now += 60_000;
    expect(await adapter.find('token-value')).toBeUndefined();
  });

  it('keeps models apart', async () => {
    const store = await storeAt({ now: 0 });
    await store.adapterFor('AccessToken').upsert('same-id', { accountId: 'alice' }, 60);
    expect(await store.adapterFor('RefreshToken').find('same-id')).toBeUndefined();
  });

  it('marks a consumed entry and keeps the mark across upserts', async () => {
    const clock = { now: 5_000_000 };
    const adapter = (await storeAt(clock)).adapterFor('AuthorizationCode');
    await adapter.upsert('code', { grantId: 'g1' }, 60);
    await adapter.consume('code');
    expect(await adapter.find('code')).toMatchObject({ consumed: 5000 });
    await adapter.upsert('code', { grantId: 'g1' }, 60);
    expect(await adapter.find('code')).toMatchObject({ consumed: 5000 });
  });

  it('revokes by grant id within the model', async () => {
    const store = await storeAt({ now: 0 });
    const tokens = store.adapterFor('AccessToken');
    await tokens.upsert('a', { grantId: 'g1' }, 60);
    await tokens.upsert('b', { grantId: 'g2' }, 60);
    await store.adapterFor('RefreshToken').upsert('c', { grantId: 'g1' }, 60);
    await tokens.revokeByGrantId('g1');
    expect(await tokens.find('a')).toBeUndefined();
    expect(await tokens.find('b')).toBeDefined();
    expect(await store.adapterFor('RefreshToken').find('c')).toBeDefined();
  });

  it('finds sessions by uid, keeping their id in the payload', async () => {
    const sessions = (await storeAt({ now: 0 })).adapterFor('Session');
    await sessions.upsert('session-id', { jti: 'session-id', uid: 'uid-1', accountId: 'bob' }, 60);
    expect(await sessions.findByUid('uid-1')).toMatchObject({ jti: 'session-id', accountId: 'bob' });
    await sessions.destroy('session-id');
    expect(await sessions.findByUid('uid-1')).toBeUndefined();
  });

  it('answers existence by hash for a live entry only', async () => {
    const clock = { now: 0 };
    const store = await storeAt(clock);
    await store.adapterFor('AccessToken').upsert('live', { grantId: 'g' }, 10);
    expect(await store.existsByHash('AccessToken', hashId('live'))).toBe(true);
    expect(await store.existsByHash('AccessToken', hashId('other'))).toBe(false);
    clock.now += 10_000;
    expect(await store.existsByHash('AccessToken', hashId('live'))).toBe(false);
  });

  it('purges expired rows and keeps entries without expiry', async () => {
    const clock = { now: 0 };
    const store = await storeAt(clock);
    await store.adapterFor('AccessToken').upsert('short', {}, 1);
    await store.adapterFor('Grant').upsert('forever', {}, undefined);
    clock.now += 2000;
    expect(await store.purgeExpired()).toBe(1);
    expect(await store.adapterFor('Grant').find('forever')).toBeDefined();
  });
});
