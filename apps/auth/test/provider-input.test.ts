// Bad input at oidc-provider's endpoints: unknown clients, wrong redirect URIs (the loopback rule included),
// missing or wrong PKCE, replayed codes, forbidden grant and response types, malformed and oversized bodies.
// Each gets the RFC error or a plain 400 page, never a stack trace, and nothing is stored for it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEMO_PASSWORD,
  removeDataDir,
  startAuth,
  storedRowCount,
  WEB_CALLBACK_PATH,
  type RunningAuth,
} from './support/auth-server.js';
import { signIn } from '@airlock/client/browser';
import { authorizationUrl, expectNoInternals, pkcePair } from './support/interaction.js';
import { postForm } from './support/workloads.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let server: RunningAuth;

  beforeAll(async () => {
    server = await startAuth({ database: await databases.next() });
  });

  afterAll(async () => {
    await server.stop();
    await removeDataDir(server.dataDir);
  });

  function storedRows(): Promise<number> {
    return storedRowCount(server);
  }

  async function authorize(params: Readonly<Record<string, string>>) {
    const response = await fetch(authorizationUrl(server.issuer, params), { redirect: 'manual' });
    const text = await response.text();
    expectNoInternals(text);
    return { status: response.status, location: response.headers.get('location'), text };
  }

  /** A code for airlock-cli, obtained through the login page, with the verifier that goes with it. */
  async function codeFor(redirectUri = 'http://127.0.0.1:50001/callback') {
    const { verifier, challenge } = pkcePair();
    const url = authorizationUrl(server.issuer, { redirect_uri: redirectUri, code_challenge: challenge });
    const redirect = new URL(redirectUri);
    const { callback } = await signIn(
      url,
      { username: 'alice', password: DEMO_PASSWORD },
      (candidate) => candidate.origin === redirect.origin,
    );
    return { code: callback.searchParams.get('code') ?? '', verifier, redirectUri };
  }

  function redeem(code: string, verifier: string, redirectUri: string) {
    return postForm(`${server.issuer}/token`, {
      grant_type: 'authorization_code',
      client_id: 'airlock-cli',
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    });
  }

  describe('authorization requests that are refused without redirecting', () => {
    it.each([
      ['an unknown client', { client_id: 'evil-app' }],
      ['a service client', { client_id: 'gateway' }],
      ['a redirect to another path', { redirect_uri: 'http://127.0.0.1:49152/other' }],
      [
        'a redirect to localhost (only 127.0.0.1 is registered)',
        { redirect_uri: 'http://localhost:49152/callback' },
      ],
      ['a redirect to another host', { redirect_uri: 'http://127.0.0.2:49152/callback' }],
      ['a redirect to a look-alike host', { redirect_uri: 'http://127.0.0.1.evil.example/callback' }],
      ['a redirect over https to loopback', { redirect_uri: 'https://127.0.0.1:49152/callback' }],
      ['a redirect with user info', { redirect_uri: 'http://evil@127.0.0.1:49152/callback' }],
      [
        'a redirect with a query',
        { redirect_uri: 'http://127.0.0.1:49152/callback?next=https://evil.example' },
      ],
      ['no redirect_uri', { redirect_uri: '' }],
    ])('%s: 400 page, no redirect, nothing stored', async (_name, params) => {
      const before = await storedRows();
      const { status, location, text } = await authorize(params);
      expect(status).toBe(400);
      expect(location).toBeNull();
      expect(text).toContain('Sign-in failed');
      expect(await storedRows()).toBe(before);
    });

    it("does not give the web client the CLI's port-agnostic loopback rule", async () => {
      const registered = new URL(`${server.origin}${WEB_CALLBACK_PATH}`);
      const otherPort = `http://127.0.0.1:${String(server.port + 1)}${WEB_CALLBACK_PATH}`;
      expect((await authorize({ client_id: 'airlock-web', redirect_uri: registered.href })).status).toBe(303);
      const { status, location } = await authorize({ client_id: 'airlock-web', redirect_uri: otherPort });
      expect(status).toBe(400);
      expect(location).toBeNull();
    });

    it('accepts the CLI on any loopback port (RFC 8252 §7.3)', async () => {
      for (const port of ['1024', '49152', '65535']) {
        const { status, location } = await authorize({ redirect_uri: `http://127.0.0.1:${port}/callback` });
        expect(status).toBe(303);
        expect(location).toMatch(/^\/auth\/interaction\//);
      }
    });
  });

  describe('authorization requests refused back to the client with the RFC error', () => {
    it.each([
      ['no PKCE', { code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
      ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['the implicit flow', { response_type: 'token' }, 'unsupported_response_type'],
      ['a hybrid flow', { response_type: 'code id_token' }, 'unsupported_response_type'],
    ])('%s', async (_name, params, error) => {
      const before = await storedRows();
      const { status, location } = await authorize(params);
      expect(status).toBe(303);
      const target = new URL(location ?? '');
      expect(target.origin).toBe('http://127.0.0.1:49152');
      // Responses for token-bearing response types go in the fragment; the error follows them there.
      const answer = target.hash === '' ? target.searchParams : new URLSearchParams(target.hash.slice(1));
      expect(answer.get('error')).toBe(error);
      expect(answer.get('state')).toBe('state-1');
      expect(answer.has('code')).toBe(false);
      expect(await storedRows()).toBe(before);
    });
  });

  describe('the token endpoint', () => {
    it('redeems a code once; a replay is invalid_grant and revokes what the code gave', async () => {
      const { code, verifier, redirectUri } = await codeFor();
      const first = await redeem(code, verifier, redirectUri);
      expect(first.status).toBe(200);
      const replay = await redeem(code, verifier, redirectUri);
      expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const retry = await postForm(`${server.issuer}/token/revocation`, {
        client_id: 'airlock-cli',
        token: String(first.body.access_token),
      });
      expect(retry.status).toBe(200);
    });

    it('refuses a PKCE mismatch with invalid_grant', async () => {
      const { code, redirectUri } = await codeFor();
      expect(await redeem(code, pkcePair().verifier, redirectUri)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
    });

    it('refuses a code redeemed with another redirect_uri', async () => {
      const { code, verifier } = await codeFor('http://127.0.0.1:50002/callback');
      expect(await redeem(code, verifier, 'http://127.0.0.1:50003/callback')).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
    });

    it.each([
      [
        'password',
        { grant_type: 'password', username: 'alice', password: DEMO_PASSWORD, client_id: 'airlock-cli' },
      ],
      ['client_credentials', { grant_type: 'client_credentials', client_id: 'airlock-cli' }],
      ['implicit', { grant_type: 'implicit', client_id: 'airlock-cli' }],
    ])('has no %s grant', async (_name, fields) => {
      const { status, body } = await postForm(`${server.issuer}/token`, fields);
      expect(status).toBe(400);
      expect(body.error).toBe('unsupported_grant_type');
    });

    it('answers an unknown client with invalid_client', async () => {
      const { status, body } = await postForm(`${server.issuer}/token`, {
        grant_type: 'authorization_code',
        client_id: 'evil-app',
        code: 'x',
      });
      expect(status).toBe(401);
      expect(body.error).toBe('invalid_client');
    });

    it('answers a JSON body with invalid_request', async () => {
      const response = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'airlock-cli' }),
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expectNoInternals(text);
      expect(JSON.parse(text)).toMatchObject({ error: 'invalid_request' });
    });

    it('refuses an oversized body before reading it', async () => {
      const response = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=authorization_code&code=${'x'.repeat(20_000)}`,
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    });

    it('answers a malformed form without a stack trace', async () => {
      const response = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=bogus' },
        body: '%E0%A4%A',
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectNoInternals(await response.text());
    });
  });

  describe('everything else under /auth', () => {
    it.each(['/me', '/reg', '/request', '/session/end', '/device/auth', '/backchannel', '/interaction'])(
      '%s is not served',
      async (path) => {
        const response = await fetch(`${server.issuer}${path}`, { method: 'POST' });
        expect(response.status).toBe(404);
        expectNoInternals(await response.text());
      },
    );

    it('405 for a wrong method on a known endpoint', async () => {
      expect((await fetch(`${server.issuer}/jwks`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${server.issuer}/token`)).status).toBe(405);
    });
  });
});
