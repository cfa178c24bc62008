// The AccessToken adapter reports what the gateways cache a token under (SHA-256 of its value, base64url) when a
// token is destroyed (RFC 7009) and when its grant is revoked (refresh-token reuse), after the store changed.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';
import { openOidcStore, type OidcStore } from '../../src/provider/oidc-store.js';
import { RevocationReportingAdapter } from '../../src/provider/revocation-reporting.js';

const gatewayKeyOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

describe.each(DATABASE_ENGINES)('RevocationReportingAdapter on %s', (engine) => {
  const databases = useTestDatabases(engine);
  const opened: OidcStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  async function reportingStore() {
    const store = await openOidcStore(await databases.next());
    opened.push(store);
    const reports: string[][] = [];
    const adapter = new RevocationReportingAdapter({
      inner: store.adapterFor('AccessToken'),
      idHashesOfGrant: (grantId) => store.idHashesOfGrant('AccessToken', grantId),
      report: (hashes) => {
        reports.push([...hashes]);
      },
    });
    return { store, adapter, reports };
  }

  it('reports a destroyed token under the gateway cache key, once it is gone', async () => {
    const { adapter, reports } = await reportingStore();
    await adapter.upsert('opaque-1', { jti: 'opaque-1', grantId: 'g1' }, 60);
    await adapter.destroy('opaque-1');
    expect(reports).toEqual([[gatewayKeyOf('opaque-1')]]);
    expect(await adapter.find('opaque-1')).toBeUndefined();
  });

  it('reports every token of a revoked grant and no other', async () => {
    const { adapter, reports } = await reportingStore();
    await adapter.upsert('opaque-1', { jti: 'opaque-1', grantId: 'g1' }, 60);
    await adapter.upsert('opaque-2', { jti: 'opaque-2', grantId: 'g1' }, 60);
    await adapter.upsert('opaque-3', { jti: 'opaque-3', grantId: 'g2' }, 60);
    await adapter.revokeByGrantId('g1');
    expect(reports).toHaveLength(1);
    expect([...(reports[0] ?? [])].sort()).toEqual(
      [gatewayKeyOf('opaque-1'), gatewayKeyOf('opaque-2')].sort(),
    );
    expect(await adapter.find('opaque-1')).toBeUndefined();
    expect(await adapter.find('opaque-3')).toBeDefined();
  });

  it('reports nothing for a grant without access tokens', async () => {
    const { adapter, reports } = await reportingStore();
    await adapter.revokeByGrantId('none');
    expect(reports).toEqual([]);
  });
});
