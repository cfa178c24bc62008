import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';

import { createLogger } from '../src/logger.js';
import { memoryLogger } from './helpers/memory-logger.js';

// Test credentials, built here so that no token-shaped literal sits in the repository.
const b64url = (value: string): string => Buffer.from(value).toString('base64url');
const JWT = [
  b64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })),
  b64url(JSON.stringify({ sub: 'alice', aud: 'orders', exp: 2_000_000_000 })),
  b64url('signature-bytes-signature-bytes-signature-bytes'),
].join('.');
const OPAQUE = 'opaque-reference-7f3a9c2e5b1d4f60';
/** A canary made per run; no log line may carry it. */
const SECRET = `canary-${randomBytes(18).toString('base64url')}`;

describe('createLogger', () => {
  it('writes JSON lines with the service name, an ISO time and a level label', () => {
    const { logger, records } = memoryLogger();
    logger.info({ orderId: 'o-1' }, 'order created');
    expect(records()).toEqual([
      expect.objectContaining({
        service: 'test-service',
        level: 'info',
        msg: 'order created',
        orderId: 'o-1',
      }),
    ]);
    const [record] = records();
    expect(typeof record?.time).toBe('string');
    expect(record).not.toHaveProperty('pid');
  });

  it('rejects a bad service name or level when created', () => {
    expect(() => createLogger({ service: 'Orders Service' })).toThrow(/service/);
    // @ts-expect-error -- a level outside the type must be refused at run time too
    expect(() => createLogger({ service: 'orders', level: 'verbose' })).toThrow(/level/);
  });

  it('honours the level', () => {
    const { logger, lines } = memoryLogger('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });
});

describe('createLogger redaction', () => {
  it('redacts credential headers in any casing, on requests and responses', () => {
    const { logger, text, records } = memoryLogger();
    logger.info({
      req: {
        headers: {
          authorization: `Bearer ${OPAQUE}`,
          Cookie: `sid=${SECRET}`,
          'PROXY-AUTHORIZATION': `Basic ${SECRET}`,
        },
      },
      res: { headers: { 'Set-Cookie': [`sid=${SECRET}; HttpOnly`], 'content-type': 'application/json' } },
    });
    expect(text()).not.toContain(OPAQUE);
    expect(text()).not.toContain(SECRET);
    expect(records()[0]).toMatchObject({
      req: {
        headers: { authorization: '[Redacted]', Cookie: '[Redacted]', 'PROXY-AUTHORIZATION': '[Redacted]' },
      },
      res: { headers: { 'Set-Cookie': '[Redacted]', 'content-type': 'application/json' } },
    });
  });

  it('redacts credential fields at any depth, in arrays too', () => {
    const { logger, text } = memoryLogger();
    logger.info({
      token: OPAQUE,
      body: {
        access_token: OPAQUE,
        refresh_token: SECRET,
        id_token: JWT,
        client_assertion: JWT,
        code_verifier: SECRET,
        subject_token: OPAQUE,
        actor_token: OPAQUE,
        password: SECRET,
      },
      clients: [{ clientSecret: SECRET }, { 'x-api-key': SECRET }],
      secret: SECRET,
    });
    expect(text()).not.toContain(OPAQUE);
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain(JWT);
  });

  it('keeps useful neighbours of redacted fields', () => {
    const { logger, records } = memoryLogger();
    logger.info({
      token_type: 'Bearer',
      expires_in: 300,
      tokenEndpoint: 'http://auth:4000/token',
      access_token: OPAQUE,
    });
    expect(records()[0]).toMatchObject({
      token_type: 'Bearer',
      expires_in: 300,
      tokenEndpoint: 'http://auth:4000/token',
      access_token: '[Redacted]',
    });
  });

  it('redacts JWT-shaped and Bearer strings wherever they appear, including the message', () => {
    const { logger, text, records } = memoryLogger();
    logger.info({ note: `forwarding ${JWT} upstream`, header: `Bearer ${OPAQUE}` }, `verified ${JWT}`);
    logger.info('auth header was bearer %s', OPAQUE);
    expect(text()).not.toContain(JWT);
    expect(text()).not.toContain(OPAQUE);
    expect(records()[0]).toMatchObject({
      note: 'forwarding [Redacted] upstream',
      header: 'Bearer [Redacted]',
    });
  });

  it('redacts JWTs that follow a JSON escape without breaking the line', () => {
    const { logger, text, records } = memoryLogger();
    logger.info({
      a: `line\n${JWT}`,
      b: `tab\t${JWT}`,
      c: `bell\u0007${JWT}`,
      d: `quote"${JWT}"`,
      e: `slash\\${JWT}`,
    });
    expect(text()).not.toContain(JWT);
    expect(records()[0]).toMatchObject({
      a: 'line\n[Redacted]',
      b: 'tab\t[Redacted]',
      c: 'bell\u0007[Redacted]',
      d: 'quote"[Redacted]"',
      e: 'slash\\[Redacted]',
    });
  });

  it('redacts token query parameters and PEM private keys in strings', () => {
    const { logger, text, records } = memoryLogger();
    const pem = `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----`;
    logger.info({
      url: `/callback?code=${SECRET}&state=s1`,
      form: `grant_type=x&refresh_token=${OPAQUE}`,
      pem,
    });
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain(OPAQUE);
    expect(records()[0]).toMatchObject({ url: '/callback?code=[Redacted]&state=s1' });
  });

  it('redacts the private members of a JWK but keeps the public ones', () => {
    const { logger, records } = memoryLogger();
    logger.info({ jwk: { kty: 'EC', crv: 'P-256', x: 'public-x', y: 'public-y', d: SECRET, kid: 'k1' } });
    expect(records()[0]).toMatchObject({ jwk: { kty: 'EC', x: 'public-x', d: '[Redacted]', kid: 'k1' } });
  });

  it('never writes bytes, which may be key material', () => {
    const { logger, text } = memoryLogger();
    logger.info({ key: Buffer.from(SECRET), raw: new TextEncoder().encode(SECRET) });
    expect(text()).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text()).toContain(`[Binary ${String(Buffer.byteLength(SECRET))} bytes]`);
  });

  it('redacts child bindings', () => {
    const { logger, text } = memoryLogger();
    logger.child({ authorization: `Bearer ${OPAQUE}`, note: JWT }).info('hello');
    expect(text()).not.toContain(OPAQUE);
    expect(text()).not.toContain(JWT);
  });

  it('logs only name, message, code, stack and cause of an error, scrubbed', () => {
    const { logger, text, records } = memoryLogger();
    const cause = Object.assign(new Error(`upstream said Bearer ${OPAQUE}`), { code: 'ECONNRESET' });
    const error = Object.assign(new Error(`bad token ${JWT}`, { cause }), {
      config: { headers: { 'X-Upstream': SECRET } },
      body: SECRET,
    });
    logger.error({ err: error }, 'request failed');
    logger.error(error);
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain(OPAQUE);
    expect(text()).not.toContain(JWT);
    const [record] = records();
    expect(record?.err).toMatchObject({
      type: 'Error',
      message: 'bad token [Redacted]',
      cause: { type: 'Error', code: 'ECONNRESET', message: 'upstream said Bearer [Redacted]' },
    });
    expect(record?.err).toHaveProperty('stack');
    expect(record?.err).not.toHaveProperty('config');
  });

  it('survives cycles, deep nesting, throwing getters and throwing toJSON', () => {
    const { logger, records } = memoryLogger();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { token: OPAQUE };
    for (let i = 0; i < 50; i += 1) deep = { next: deep };
    const hostile = {
      get boom(): string {
        throw new Error('getter');
      },
    };
    const badJson = {
      toJSON: () => {
        throw new Error('toJSON');
      },
    };
    expect(() => {
      logger.info({ cyclic, deep, hostile, badJson });
    }).not.toThrow();
    expect(records()[0]).toMatchObject({
      cyclic: { name: 'loop', self: '[Circular]' },
      badJson: '[Unreadable]',
    });
    expect(JSON.stringify(records())).not.toContain(OPAQUE);
  });

  it('does not modify the logged object', () => {
    const { logger } = memoryLogger();
    const headers = { authorization: `Bearer ${OPAQUE}` };
    logger.info({ headers });
    expect(headers.authorization).toBe(`Bearer ${OPAQUE}`);
  });

  it('keeps ordinary dotted strings: hosts, versions, addresses, file names', () => {
    const { logger, records } = memoryLogger();
    const fields = {
      host: 'auth.identity.internal',
      version: '10.4.0',
      ip: '127.0.0.1',
      file: 'src/start-server.test.ts',
      time: '2026-01-01T00:00:00.000Z',
    };
    logger.info(fields);
    expect(records()[0]).toMatchObject(fields);
  });
});
