// The outbound clients against loopback stand-ins: the token exchange request orders sends to auth (RFC 8693
// form, private_key_jwt assertion for auth's issuer), and how every bad answer fails closed.
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { importJWK, jwtVerify } from 'jose';
import { ensureWorkloadKeyPair, TokenExchangeError } from '@airlock/workload-identity';
import type { WorkloadKeyPair } from '@airlock/workload-identity';

import { createPaymentsClient, PaymentsClientError } from '../src/clients/payments-client.js';
import { createPaymentsTokenExchanger } from '../src/clients/token-exchange-client.js';
import { hangingPayments, listenOnLoopback } from './support/servers.js';
import type { RunningServer } from './support/servers.js';
import { CHARGE_PATH, paymentOperation } from '../src/clients/payment-operation.js';

const ISSUER = 'http://127.0.0.1:8080/auth';
const PAYMENTS = { clientId: 'orders', audience: 'payments' };
const A_JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

let dataDir: string;
let keyPair: WorkloadKeyPair;
const servers: RunningServer[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'airlock-orders-keys-'));
  keyPair = await ensureWorkloadKeyPair({ dataDir, service: 'orders' });
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

async function authAnswering(
  status: number,
  body: unknown,
  seen?: { path?: string; form?: URLSearchParams; type?: string },
): Promise<RunningServer> {
  const server = await listenOnLoopback((req, res) => {
    void readBody(req).then((text) => {
      if (seen !== undefined) {
        seen.path = req.url ?? '';
        seen.form = new URLSearchParams(text);
        seen.type = req.headers['content-type'] ?? '';
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  servers.push(server);
  return server;
}

const goodAnswer = {
  access_token: A_JWT,
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  token_type: 'Bearer',
  expires_in: 300,
};

describe('token exchange client', () => {
  it('sends an RFC 8693 exchange for aud payments, authenticated by a private_key_jwt for auth’s issuer', async () => {
    const seen: { path?: string; form?: URLSearchParams; type?: string } = {};
    const auth = await authAnswering(200, goodAnswer, seen);
    const client = createPaymentsTokenExchanger({ ...PAYMENTS, authUrl: auth.url, issuer: ISSUER, keyPair });
    await expect(client.exchange('subject.jwt.value', 'orders')).resolves.toBe(A_JWT);
    expect(seen.path).toBe('/auth/token');
    expect(seen.type).toBe('application/x-www-form-urlencoded');
    const form = seen.form ?? new URLSearchParams();
    expect(Object.fromEntries([...form.entries()].filter(([name]) => name !== 'client_assertion'))).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'subject.jwt.value',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'payments',
      scope: 'orders',
      client_id: 'orders',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    const publicKey = await importJWK(keyPair.publicJwk, 'ES256');
    const { payload } = await jwtVerify(form.get('client_assertion') ?? '', publicKey, { audience: ISSUER });
    expect(payload).toMatchObject({ iss: 'orders', sub: 'orders', aud: ISSUER, jti: expect.any(String) });
  });

  it('asks for a token bound to one charge: RFC 9396 authorization_details with exactly that operation', async () => {
    const seen: { path?: string; form?: URLSearchParams; type?: string } = {};
    const auth = await authAnswering(200, goodAnswer, seen);
    const client = createPaymentsTokenExchanger({ ...PAYMENTS, authUrl: auth.url, issuer: ISSUER, keyPair });
    const operation = paymentOperation(CHARGE_PATH, { identifier: 'order-1', amount: 2599, currency: 'EUR' });
    await expect(client.exchange('subject.jwt.value', 'orders', operation)).resolves.toBe(A_JWT);
    expect(JSON.parse(seen.form?.get('authorization_details') ?? 'null')).toEqual([
      { type: 'airlock_payment', actions: ['charge'], identifier: 'order-1', amount: 2599, currency: 'EUR' },
    ]);
  });

  it.each([
    ['a refusal (400 invalid_grant)', 400, { error: 'invalid_grant' }, 'exchange_refused'],
    ['a server error', 500, { error: 'server_error' }, 'exchange_error_status'],
    [
      'a refusal of orders itself (401 invalid_client)',
      401,
      { error: 'invalid_client' },
      'exchange_client_refused',
    ],
    ['no access token', 200, { ...goodAnswer, access_token: undefined }, 'exchange_invalid_response'],
    [
      'an access token that is not a JWT',
      200,
      { ...goodAnswer, access_token: 'opaque' },
      'exchange_invalid_response',
    ],
    [
      'a refresh token type',
      200,
      { ...goodAnswer, issued_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      'exchange_invalid_response',
    ],
    ['a non-bearer token type', 200, { ...goodAnswer, token_type: 'DPoP' }, 'exchange_invalid_response'],
    ['HTML', 200, '<html>', 'exchange_invalid_response'],
  ])('fails closed on %s', async (_name, status, body, code) => {
    const auth = await authAnswering(status, body);
    const client = createPaymentsTokenExchanger({ ...PAYMENTS, authUrl: auth.url, issuer: ISSUER, keyPair });
    const failure = await client.exchange('subject.jwt.value').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TokenExchangeError);
    expect((failure as TokenExchangeError).code).toBe(code);
  });

  it('fails closed when auth does not answer within the deadline', async () => {
    const hanging = await hangingPayments();
    servers.push(hanging);
    const client = createPaymentsTokenExchanger({
      ...PAYMENTS,
      authUrl: hanging.url,
      issuer: ISSUER,
      keyPair,
      timeoutMs: 200,
    });
    const failure = await client.exchange('subject.jwt.value').catch((error: unknown) => error);
    expect((failure as TokenExchangeError).code).toBe('exchange_timeout');
  });

  it('fails closed when auth is unreachable', async () => {
    const client = createPaymentsTokenExchanger({
      ...PAYMENTS,
      authUrl: new URL('http://127.0.0.1:9'),
      issuer: ISSUER,
      keyPair,
    });
    const failure = await client.exchange('subject.jwt.value').catch((error: unknown) => error);
    expect((failure as TokenExchangeError).code).toBe('exchange_unreachable');
  });

  it('checks its options when they are passed', () => {
    expect(() =>
      createPaymentsTokenExchanger({
        ...PAYMENTS,
        authUrl: new URL('http://127.0.0.1:1'),
        issuer: ISSUER,
        keyPair,
        timeoutMs: 0,
      }),
    ).toThrow(TypeError);
  });
});

describe('payments client', () => {
  const charge = {
    accessToken: A_JWT,
    idempotencyKey: 'derived-key-123',
    orderId: '7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
    amount: 100,
    currency: 'EUR',
    paymentMethod: 'pm_fake_visa',
  };

  it.each([
    [
      'a charge for another order',
      {
        id: 'ch_7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
        orderId: '00000000-0000-4000-8000-000000000000',
        amount: 100,
        currency: 'EUR',
        status: 'succeeded',
      },
    ],
    [
      'a charge for another amount',
      {
        id: 'ch_7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
        orderId: charge.orderId,
        amount: 1,
        currency: 'EUR',
        status: 'succeeded',
      },
    ],
    [
      'a charge that did not succeed',
      {
        id: 'ch_7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
        orderId: charge.orderId,
        amount: 100,
        currency: 'EUR',
        status: 'pending',
      },
    ],
  ])('does not count %s as paid', async (_name, body) => {
    const server = await listenOnLoopback((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    servers.push(server);
    const failure = await createPaymentsClient({ baseUrl: server.url })
      .createCharge(charge)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PaymentsClientError);
    expect((failure as PaymentsClientError).code).toBe('payments_invalid_response');
  });

  it('refuses an oversized answer', async () => {
    const server = await listenOnLoopback((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(`"${'x'.repeat(200_000)}"`);
    });
    servers.push(server);
    const failure = await createPaymentsClient({ baseUrl: server.url })
      .createCharge(charge)
      .catch((error: unknown) => error);
    expect((failure as PaymentsClientError).code).toBe('payments_unavailable');
  });

  it('does not follow redirects', async () => {
    const server = await listenOnLoopback((_req, res) => {
      res.writeHead(307, { location: 'http://127.0.0.1:9/charges' });
      res.end();
    });
    servers.push(server);
    const failure = await createPaymentsClient({ baseUrl: server.url })
      .createCharge(charge)
      .catch((error: unknown) => error);
    expect((failure as PaymentsClientError).code).toBe('payments_refused');
  });
});
