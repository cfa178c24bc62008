// The one token-exchange client against loopback stand-ins of auth: what it sends, the two outcomes it returns,
// and a stable error code for every other answer, through the default dispatcher and through a pool.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Pool } from 'undici';

import {
  createTokenExchangeClient,
  exchangeOrThrow,
  MAX_EXCHANGE_RESPONSE_BYTES,
  TokenExchangeError,
} from '../src/exchange-token.js';
import type { TokenExchangeClientOptions } from '../src/exchange-token.js';

const A_JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const ISSUED = {
  access_token: A_JWT,
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  token_type: 'Bearer',
  expires_in: 300,
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function auth(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handler(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

const answering = (status: number, body: unknown) =>
  auth((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });

function clientFor(origin: string, overrides: Partial<TokenExchangeClientOptions> = {}) {
  return createTokenExchangeClient({
    authOrigin: origin,
    tokenPath: '/auth/token',
    clientId: 'orders',
    clientAssertion: () => Promise.resolve('an.assertion.jwt'),
    timeoutMs: 1000,
    ...overrides,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TokenExchangeError)) throw new Error('expected a TokenExchangeError');
  return error.code;
}

describe('createTokenExchangeClient', () => {
  it('posts one RFC 8693 form as the service and returns the issued token', async () => {
    let seen: { path?: string; form?: Record<string, string> } = {};
    const origin = await auth((req, res, body) => {
      seen = { path: req.url ?? '', form: Object.fromEntries(new URLSearchParams(body)) };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ISSUED));
    });
    const result = await clientFor(origin)({
      subjectToken: 'subject',
      audience: 'payments',
      scope: 'orders',
    });
    expect(result).toEqual({ kind: 'issued', accessToken: A_JWT });
    expect(seen.path).toBe('/auth/token');
    expect(seen.form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'subject',
      audience: 'payments',
      scope: 'orders',
      client_id: 'orders',
      client_assertion: 'an.assertion.jwt',
    });
  });

  it('works the same through a pool the caller keeps', async () => {
    const origin = await answering(200, ISSUED);
    const pool = new Pool(origin);
    try {
      await expect(
        clientFor(origin, { dispatcher: pool })({ subjectToken: 's', audience: 'a' }),
      ).resolves.toEqual({ kind: 'issued', accessToken: A_JWT });
    } finally {
      await pool.close();
    }
  });

  it.each(['invalid_grant', 'invalid_scope'] as const)(
    'returns auth’s %s as a refusal, not an error',
    async (error) => {
      const origin = await answering(400, { error });
      await expect(clientFor(origin)({ subjectToken: 's', audience: 'a' })).resolves.toEqual({
        kind: 'refused',
        oauthError: error,
      });
    },
  );

  it.each([
    ['the caller refused (400 invalid_target)', 400, { error: 'invalid_target' }, 'exchange_client_refused'],
    ['the caller unauthenticated (401)', 401, { error: 'invalid_client' }, 'exchange_client_refused'],
    ['a 400 without an OAuth error', 400, 'nope', 'exchange_error_status'],
    ['a server error', 503, { error: 'temporarily_unavailable' }, 'exchange_error_status'],
    ['no JSON', 200, '<html>', 'exchange_invalid_response'],
    ['an opaque access token', 200, { ...ISSUED, access_token: 'opaque' }, 'exchange_invalid_response'],
    ['a DPoP token type', 200, { ...ISSUED, token_type: 'DPoP' }, 'exchange_invalid_response'],
    [
      'a refresh token type',
      200,
      { ...ISSUED, issued_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      'exchange_invalid_response',
    ],
    ['an oversized body', 200, 'x'.repeat(MAX_EXCHANGE_RESPONSE_BYTES + 1), 'exchange_invalid_response'],
  ])('fails with a stable code on %s', async (_name, status, body, code) => {
    const origin = await answering(status, body);
    expect(await codeOf(clientFor(origin)({ subjectToken: 's', audience: 'a' }))).toBe(code);
  });

  it('times out on an auth that never answers', async () => {
    const origin = await auth(() => undefined);
    expect(await codeOf(clientFor(origin, { timeoutMs: 100 })({ subjectToken: 's', audience: 'a' }))).toBe(
      'exchange_timeout',
    );
  });

  it('reports an auth that cannot be reached', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    expect(await codeOf(clientFor('http://127.0.0.1:9')({ subjectToken: 's', audience: 'a' }))).toBe(
      'exchange_unreachable',
    );
  });

  it('reports a client assertion that cannot be signed as the caller’s own failure', async () => {
    const origin = await answering(200, ISSUED);
    const failing = clientFor(origin, { clientAssertion: () => Promise.reject(new Error('no key')) });
    expect(await codeOf(failing({ subjectToken: 's', audience: 'a' }))).toBe('exchange_client_refused');
  });

  it.each([0, 2001, 1.5])('checks timeoutMs when it is passed (%s)', (timeoutMs) => {
    expect(() => clientFor('http://127.0.0.1:9', { timeoutMs })).toThrow(TypeError);
  });
});

describe('exchangeOrThrow', () => {
  it('turns a refusal into exchange_refused with auth’s word', async () => {
    const origin = await answering(400, { error: 'invalid_grant' });
    const failure = await exchangeOrThrow(clientFor(origin), { subjectToken: 's', audience: 'a' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TokenExchangeError);
    expect(failure).toMatchObject({ code: 'exchange_refused', oauthError: 'invalid_grant' });
  });
});
