// Acceptance: a real OAuth client library (openid-client) against the running auth: discovery, authorization
// code + PKCE through the login form with a real loopback callback, the code exchange (an opaque token),
// refresh with rotation and family revocation on reuse, and revocation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { startAuth, type RunningAuth, WEB_CALLBACK_PATH, removeDataDir } from './support/auth-server.js';
import { Browser } from '@airlock/client/browser';
import { startLoopbackCallback, type LoopbackCallback } from '@airlock/client/loopback-callback';
import { codeFlow, discoverPublicClient, type CodeFlowResult } from './support/oauth-client.js';
import { introspect, setUpWorkloads, type Workloads } from './support/workloads.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let server: RunningAuth;
  let cli: client.Configuration;
  let loopback: LoopbackCallback;
  let workloads: Workloads;

  beforeAll(async () => {
    server = await startAuth({ database: await databases.next() });
    cli = await discoverPublicClient(server.issuer, 'airlock-cli');
    loopback = await startLoopbackCallback();
    workloads = await setUpWorkloads(server);
  });

  afterAll(async () => {
    await loopback.close();
    await server.stop();
    await removeDataDir(server.dataDir);
  });

  function isJwtShaped(token: string): boolean {
    return token.split('.').length === 3;
  }

  describe('discovery', () => {
    it('publishes the issuer and endpoints under /auth, built from the issuer', () => {
      const metadata = cli.serverMetadata();
      expect(metadata.issuer).toBe(server.issuer);
      expect(metadata.authorization_endpoint).toBe(`${server.issuer}/authorize`);
      expect(metadata.token_endpoint).toBe(`${server.issuer}/token`);
      expect(metadata.jwks_uri).toBe(`${server.issuer}/jwks`);
      expect(metadata.revocation_endpoint).toBe(`${server.issuer}/token/revocation`);
      expect(metadata.introspection_endpoint).toBe(`${server.issuer}/token/introspection`);
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
      expect(metadata.response_types_supported).toEqual(['code']);
      expect(metadata.grant_types_supported).not.toContain('implicit');
      expect(metadata.grant_types_supported).not.toContain('password');
      expect(metadata.token_endpoint_auth_methods_supported).toEqual(['none', 'private_key_jwt']);
      expect(metadata.userinfo_endpoint).toBeUndefined();
    });

    it('ignores a forged Host header when building URLs', async () => {
      const response = await fetch(`${server.issuer}/.well-known/openid-configuration`, {
        headers: {
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
          forwarded: 'host=evil.example',
        },
      });
      const body = JSON.stringify(await response.json());
      expect(body).not.toContain('evil.example');
      expect(body).not.toContain('https:');
    });

    it('publishes only public signing keys', async () => {
      const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(key).not.toHaveProperty('d');
      }
    });
  });

  describe('authorization code + PKCE for airlock-cli (loopback redirect, any port)', () => {
    let tokens: CodeFlowResult['tokens'];

    beforeAll(async () => {
      ({ tokens } = await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid offline_access orders',
        username: 'alice',
        deliver: true,
      }));
    });

    it('delivers the code to the loopback listener the CLI opened', () => {
      expect(loopback.received.some((url) => url.searchParams.has('code'))).toBe(true);
      expect(loopback.received.every((url) => url.searchParams.get('iss') === server.issuer)).toBe(true);
    });

    it('issues an opaque access token, never a JWT, with the granted scopes', async () => {
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(isJwtShaped(tokens.access_token)).toBe(false);
      expect(tokens.access_token.length).toBeGreaterThanOrEqual(43);
      expect(tokens.expires_in).toBe(15 * 60);
      expect(tokens.scope?.split(' ').sort()).toEqual(['offline_access', 'openid', 'orders']);
      const active = await introspect(workloads, 'gateway', tokens.access_token);
      expect(active).toMatchObject({ active: true, sub: 'alice', client_id: 'airlock-cli' });
    });

    it('refreshes with rotation, and reuse of a rotated refresh token revokes the whole family', async () => {
      const first = tokens.refresh_token;
      expect(first).toBeDefined();
      if (first === undefined) return;
      const refreshed = await client.refreshTokenGrant(cli, first);
      expect(refreshed.refresh_token).toBeDefined();
      expect(refreshed.refresh_token).not.toBe(first);
      expect(isJwtShaped(refreshed.access_token)).toBe(false);
      expect(await introspect(workloads, 'gateway', refreshed.access_token)).toMatchObject({ active: true });

      // The old refresh token again: refused, and everything issued from the grant dies with it.
      await expect(client.refreshTokenGrant(cli, first)).rejects.toMatchObject({ error: 'invalid_grant' });
      const second = refreshed.refresh_token;
      if (second === undefined) return;
      await expect(client.refreshTokenGrant(cli, second)).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(await introspect(workloads, 'gateway', refreshed.access_token)).toEqual({ active: false });
      expect(await introspect(workloads, 'gateway', tokens.access_token)).toEqual({ active: false });
    });
  });

  describe('revocation (RFC 7009)', () => {
    it('revokes an access token at once', async () => {
      const { tokens } = await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid orders',
        username: 'bob',
      });
      expect(await introspect(workloads, 'gateway', tokens.access_token)).toMatchObject({
        active: true,
        sub: 'bob',
      });
      await client.tokenRevocation(cli, tokens.access_token, { token_type_hint: 'access_token' });
      expect(await introspect(workloads, 'gateway', tokens.access_token)).toEqual({ active: false });
    });

    it('revoking a refresh token revokes its grant, access tokens included', async () => {
      const { tokens } = await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid offline_access orders',
        username: 'bob',
      });
      const refreshToken = tokens.refresh_token;
      expect(refreshToken).toBeDefined();
      if (refreshToken === undefined) return;
      await client.tokenRevocation(cli, refreshToken, { token_type_hint: 'refresh_token' });
      expect(await introspect(workloads, 'gateway', tokens.access_token)).toEqual({ active: false });
      await expect(client.refreshTokenGrant(cli, refreshToken)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });
  });

  describe('scopes follow the user', () => {
    it('grants carol, an admin, the admin scope', async () => {
      const { tokens } = await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid orders admin',
        username: 'carol',
      });
      expect(tokens.scope?.split(' ')).toContain('admin');
    });

    it('leaves the admin scope out for alice, who is no admin', async () => {
      const { tokens } = await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid orders admin',
        username: 'alice',
      });
      expect(tokens.scope?.split(' ').sort()).toEqual(['openid', 'orders']);
    });
  });

  describe('the first-party web client', () => {
    it('signs in, then reuses the session with consent implied (no second login page)', async () => {
      const web = await discoverPublicClient(server.issuer, 'airlock-web');
      const redirectUri = `${server.origin}${WEB_CALLBACK_PATH}`;
      const browser = new Browser();
      const first = await codeFlow(web, { redirectUri, scope: 'openid orders', username: 'alice', browser });
      expect(isJwtShaped(first.tokens.access_token)).toBe(false);
      // Same browser, new authorization request: the session answers, no form is shown.
      const second = await codeFlow(web, {
        redirectUri,
        scope: 'openid orders images',
        username: 'nobody',
        password: 'unused',
        browser,
      });
      expect(second.tokens.scope?.split(' ').sort()).toEqual(['images', 'openid', 'orders']);
    });

    it('makes the CLI sign in again even with a live session (RFC 8252 §8.6: a loopback port proves nothing)', async () => {
      const browser = new Browser();
      await codeFlow(cli, { redirectUri: loopback.redirectUri, scope: 'openid', username: 'alice', browser });
      await expect(
        codeFlow(cli, {
          redirectUri: loopback.redirectUri,
          scope: 'openid',
          username: 'alice',
          password: 'wrong-password',
          browser,
        }),
      ).rejects.toThrow(/sign-in failed with 200/);
    });
  });
});
