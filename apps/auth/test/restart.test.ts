// Acceptance: auth restarted on the same data folder and database keeps its state, on either engine. The same
// opaque token still introspects active, a revoked one stays revoked, the JWKS keeps the same keys, refresh
// tokens, exchanged JWTs and browser sessions carry on; and the database holds hashes, not usable tokens.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '@airlock/token-verification';
import * as client from 'openid-client';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';
import type { TestDatabaseLocation } from '@airlock/testing/database-engines';
import { openServiceDatabase } from '@airlock/service-kit/database';
import { oidcMigrations } from '../src/provider/oidc-store.js';
import { removeDataDir, startAuth, WEB_CALLBACK_PATH, type RunningAuth } from './support/auth-server.js';
import { Browser } from '@airlock/client/browser';
import { startLoopbackCallback, type LoopbackCallback } from '@airlock/client/loopback-callback';
import { codeFlow, discoverPublicClient } from './support/oauth-client.js';
import {
  exchangeAs,
  introspect,
  setUpWorkloads,
  type Workloads,
  chargeDetails,
  intentDetails,
} from './support/workloads.js';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let database: TestDatabaseLocation;
  let first: RunningAuth;
  let second: RunningAuth;
  let workloads: Workloads;
  let loopback: LoopbackCallback;
  let live: { access_token: string; refresh_token?: string };
  let revoked: string;
  let ordersJwt: string;
  let jwksBefore: unknown;
  const browser = new Browser();

  beforeAll(async () => {
    database = await databases.next();
    first = await startAuth({ database });
    workloads = await setUpWorkloads(first);
    loopback = await startLoopbackCallback();
    const cli = await discoverPublicClient(first.issuer, 'airlock-cli');
    live = (
      await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid offline_access orders',
        username: 'alice',
      })
    ).tokens;
    revoked = (
      await codeFlow(cli, { redirectUri: loopback.redirectUri, scope: 'openid orders', username: 'bob' })
    ).tokens.access_token;
    await client.tokenRevocation(cli, revoked);
    const exchanged = await exchangeAs(workloads, 'gateway', {
      subject_token: live.access_token,
      audience: 'orders',
      // As on a pay request: the orders token carries alice's intent, which orders redeems after the restart.
      authorization_details: intentDetails(),
    });
    ordersJwt = String(exchanged.body.access_token);
    const web = await discoverPublicClient(first.issuer, 'airlock-web');
    await codeFlow(web, {
      redirectUri: `${first.origin}${WEB_CALLBACK_PATH}`,
      scope: 'openid',
      username: 'carol',
      browser,
    });
    jwksBefore = await (await fetch(`${first.issuer}/jwks`)).json();

    await first.stop();
    second = await startAuth({ database, dataDir: first.dataDir, port: first.port });
  });

  afterAll(async () => {
    await loopback.close();
    await second.stop();
    await removeDataDir(second.dataDir);
  });

  describe('after a restart on the same data folder', () => {
    it('serves the same issuer', () => {
      expect(second.issuer).toBe(first.issuer);
    });

    it('still introspects the same opaque token as active', async () => {
      expect(await introspect(workloads, 'gateway', live.access_token)).toMatchObject({
        active: true,
        sub: 'alice',
      });
    });

    it('keeps a revoked token revoked', async () => {
      expect(await introspect(workloads, 'gateway', revoked)).toEqual({ active: false });
      const refused = await exchangeAs(workloads, 'gateway', { subject_token: revoked, audience: 'orders' });
      expect(refused.body.error).toBe('invalid_grant');
    });

    it('publishes the same keys, and JWTs from before still verify', async () => {
      expect(await (await fetch(`${second.issuer}/jwks`)).json()).toEqual(jwksBefore);
      const verifier = createTokenVerifier({
        issuer: second.issuer,
        audience: 'orders',
        algorithms: ['ES256'],
        jwks: new URL(`${second.issuer}/jwks`),
      });
      await expect(verifier.verify(ordersJwt)).resolves.toMatchObject({ sub: 'alice' });
    });

    it('lets orders exchange a JWT minted before the restart', async () => {
      const onward = await exchangeAs(workloads, 'orders', {
        subject_token: ordersJwt,
        audience: 'payments',
        authorization_details: chargeDetails(),
      });
      expect(onward.status).toBe(200);
    });

    it('rotates a refresh token issued before the restart', async () => {
      const cli = await discoverPublicClient(second.issuer, 'airlock-cli');
      const refreshed = await client.refreshTokenGrant(cli, live.refresh_token ?? '');
      expect(refreshed.access_token).not.toBe(live.access_token);
    });

    it("keeps the browser's session: the web client signs in again without the form", async () => {
      const web = await discoverPublicClient(second.issuer, 'airlock-web');
      const { tokens } = await codeFlow(web, {
        redirectUri: `${second.origin}${WEB_CALLBACK_PATH}`,
        scope: 'openid',
        username: 'nobody',
        password: 'unused',
        browser,
      });
      expect(tokens.access_token).toBeDefined();
    });

    it('stores hashes: no token value appears in any row of the store', async () => {
      const db = await openServiceDatabase(second.database, oidcMigrations);
      try {
        const rows = JSON.stringify(await db.all('SELECT * FROM oidc_model'));
        expect(rows.length).toBeGreaterThan(2);
        for (const token of [live.access_token, live.refresh_token ?? '', revoked]) {
          expect(rows.includes(token)).toBe(false);
        }
      } finally {
        await db.close();
      }
    });

    // About SQLite itself: its file and write-ahead log hold pages a row query no longer shows.
    if (engine === 'sqlite') {
      it('stores hashes: no token value appears in the SQLite file or its write-ahead log', async () => {
        const files = ['auth.db', 'auth.db-wal'].map((name) => join(second.dataDir, 'auth', name));
        const contents = await Promise.all(files.map((file) => readFile(file).catch(() => Buffer.alloc(0))));
        for (const token of [live.access_token, live.refresh_token ?? '', revoked]) {
          for (const content of contents) expect(content.includes(token)).toBe(false);
        }
      });
    }
  });
});
