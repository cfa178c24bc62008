// The Express 5 middleware: status codes, challenges and bodies for every refusal, caller and scope
// authorization, and the guarantee that nothing after it runs unless the request is accepted.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { ErrorRequestHandler, Express, Request } from 'express';
import supertest from 'supertest';
import { TokenVerificationError, createTokenVerifier, requireToken } from '../src/index.js';
import type { RequireTokenOptions, TokenRejection, TokenVerifier, VerifiedToken } from '../src/index.js';
import { startCountingServer } from './helpers/jwks-server.js';
import type { CountingServer } from './helpers/jwks-server.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  assemble,
  generateSigningKey,
  mint,
  standardClaims,
  verifierFor,
} from './helpers/tokens.js';
import type { SigningKey } from './helpers/tokens.js';

let es256: SigningKey;
let verifier: TokenVerifier;

beforeAll(async () => {
  es256 = await generateSigningKey('ES256', 'es-1');
  verifier = verifierFor([es256]);
});

interface Harness {
  app: Express;
  /** Requests that reached the route handler, with what requireToken set. */
  reached: (VerifiedToken | undefined)[];
  /** Errors that reached the error handler registered after everything. */
  errors: unknown[];
  rejections: TokenRejection[];
}

function harness(options: RequireTokenOptions = {}, tokenVerifier = verifier): Harness {
  const reached: (VerifiedToken | undefined)[] = [];
  const errors: unknown[] = [];
  const rejections: TokenRejection[] = [];
  const app = express();
  app.get(
    '/orders',
    requireToken(tokenVerifier, {
      ...options,
      onReject: options.onReject ?? ((rejection) => rejections.push(rejection)),
    }),
    (req, res) => {
      reached.push(req.auth);
      res.json({ sub: req.auth?.sub });
    },
  );
  app.get('/boom', requireToken(tokenVerifier), () => {
    throw new Error('route failure');
  });
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express tells error handlers apart by their four parameters.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    errors.push(error);
    res.status(500).json({ error: { code: 'internal', message: 'Internal error.' } });
  };
  app.use(onError);
  return { app, reached, errors, rejections };
}

const bearer = (token: string): string => `Bearer ${token}`;

describe('accepted requests', () => {
  it('sets req.auth to the verified token and calls the route', async () => {
    const { app, reached } = harness();
    const response = await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256)));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: 'user-1' });
    expect(reached[0]).toMatchObject({
      sub: 'user-1',
      aud: AUDIENCE,
      scopes: ['orders:read', 'orders:write'],
    });
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme spelt %s', async (scheme) => {
    const { app } = harness();
    await supertest(app)
      .get('/orders')
      .set('Authorization', `${scheme} ${mint(es256)}`)
      .expect(200);
  });

  it('passes errors thrown by the route to the error handler, not into a token refusal', async () => {
    const { app, errors } = harness();
    const response = await supertest(app)
      .get('/boom')
      .set('Authorization', bearer(mint(es256)));
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
  });
});

describe('401 for a missing token: a bare Bearer challenge, no error code (RFC 6750 §3.1)', () => {
  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('answers %s', async (_label, authorization) => {
    const { app, reached, errors, rejections } = harness();
    const call = supertest(app).get('/orders');
    const response = await (authorization === undefined ? call : call.set('Authorization', authorization));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      error: { code: 'invalid_token', message: 'A valid bearer token is required.' },
    });
    expect(reached).toHaveLength(0);
    expect(errors).toHaveLength(0);
    expect(rejections).toEqual([{ status: 401, code: 'invalid_token', reason: 'token_missing' }]);
  });

  it('ignores a token in the query string', async () => {
    const { app } = harness();
    const response = await supertest(app)
      .get('/orders')
      .query({ access_token: mint(es256) });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('401 invalid_token for a bad token or Authorization header', () => {
  const badTokens: [string, () => string][] = [
    ['expired', () => mint(es256, { claims: { exp: NOW - 60 } })],
    ['for another audience', () => mint(es256, { claims: { aud: 'payments' } })],
    ['alg none', () => assemble({ alg: 'none', typ: 'at+jwt' }, JSON.stringify(standardClaims()), '')],
    ['HS256', () => mint(es256, { header: { alg: 'HS256' } })],
    ['typ JWT', () => mint(es256, { header: { typ: 'JWT' } })],
    ['signed by an unknown key', () => mint(es256, { header: { kid: 'other' } })],
    [
      'tampered (payload swapped under the original signature)',
      () => {
        const [header = '', , signature = ''] = mint(es256).split('.');
        return `${header}.${mint(es256, { claims: { sub: 'admin' } }).split('.')[1] ?? ''}.${signature}`;
      },
    ],
    ['not a JWT', () => 'opaque-reference-token'],
  ];

  it.each(badTokens)('refuses a token that is %s, and reveals nothing about why', async (_label, token) => {
    const { app, reached, errors } = harness();
    const response = await supertest(app).get('/orders').set('Authorization', bearer(token()));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(response.body).toEqual({
      error: { code: 'invalid_token', message: 'A valid bearer token is required.' },
    });
    expect(reached).toHaveLength(0);
    expect(errors).toHaveLength(0);
  });

  it.each([
    ['the scheme alone', 'Bearer'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['auth-params', 'Bearer token="a.b.c"'],
  ])('refuses an Authorization header with %s', async (_label, authorization) => {
    const { app, reached } = harness();
    const response = await supertest(app).get('/orders').set('Authorization', authorization);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(reached).toHaveLength(0);
  });

  it('refuses two Authorization headers, even when both are valid', async () => {
    const { app, reached, rejections } = harness();
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const token = mint(es256);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/orders' }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.setHeader('Authorization', [bearer(token), bearer(token)]);
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(401);
      expect(reached).toHaveLength(0);
      expect(rejections[0]).toMatchObject({ reason: 'authorization_malformed' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('tells onReject the verifier reason, and survives an onReject that throws', async () => {
    const { app: recorded, rejections } = harness();
    await supertest(recorded)
      .get('/orders')
      .set('Authorization', bearer(mint(es256, { claims: { exp: NOW - 60 } })));
    expect(rejections).toEqual([{ status: 401, code: 'invalid_token', reason: 'token_expired' }]);
    const { app, reached } = harness({
      onReject: () => {
        throw new Error('logger down');
      },
    });
    await supertest(app).get('/orders').expect(401);
    expect(reached).toHaveLength(0);
  });
});

describe('403 insufficient_scope', () => {
  it('refuses a token without every required scope, naming them in the challenge', async () => {
    const { app, reached, rejections } = harness({ scopes: ['orders:read', 'orders:admin'] });
    const response = await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256)));
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="orders:read orders:admin"',
    );
    expect(response.body).toEqual({
      error: {
        code: 'insufficient_scope',
        message: 'The bearer token does not grant access to this resource.',
      },
    });
    expect(reached).toHaveLength(0);
    expect(rejections).toEqual([{ status: 403, code: 'insufficient_scope' }]);
  });

  it('refuses a token without any scope claim', async () => {
    const { app } = harness({ scopes: ['orders:read'] });
    await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256, { claims: { scope: undefined } })))
      .expect(403);
  });

  it('matches scopes exactly, not by prefix', async () => {
    const { app } = harness({ scopes: ['orders:read'] });
    const token = mint(es256, { claims: { scope: 'orders:reader orders' } });
    await supertest(app).get('/orders').set('Authorization', bearer(token)).expect(403);
  });

  it('accepts a token holding every required scope', async () => {
    const { app } = harness({ scopes: ['orders:write', 'orders:read'] });
    await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256)))
      .expect(200);
  });
});

describe('403 caller_not_allowed: the immediate caller is act.sub, else client_id', () => {
  const allowedCallers = ['gateway', 'orders'];

  it('accepts a delegated token whose actor is allowed', async () => {
    const { app, reached } = harness({ allowedCallers });
    const token = mint(es256, { claims: { act: { sub: 'orders' }, client_id: 'web-app' } });
    await supertest(app).get('/orders').set('Authorization', bearer(token)).expect(200);
    expect(reached[0]?.act).toEqual({ sub: 'orders' });
  });

  it('accepts a service token (sub = client_id) from an allowed service', async () => {
    const { app } = harness({ allowedCallers });
    const token = mint(es256, { claims: { sub: 'orders', client_id: 'orders', act: undefined } });
    await supertest(app).get('/orders').set('Authorization', bearer(token)).expect(200);
  });

  it('refuses a delegated token whose actor is not allowed, whatever its client_id', async () => {
    const { app, reached, rejections } = harness({ allowedCallers });
    const token = mint(es256, { claims: { act: { sub: 'image-processor' }, client_id: 'gateway' } });
    const response = await supertest(app).get('/orders').set('Authorization', bearer(token));
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({
      error: { code: 'caller_not_allowed', message: 'The calling service may not use this resource.' },
    });
    expect(reached).toHaveLength(0);
    expect(rejections).toEqual([{ status: 403, code: 'caller_not_allowed', caller: 'image-processor' }]);
  });

  it('refuses a token without act whose client_id is not allowed', async () => {
    const { app } = harness({ allowedCallers });
    await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256)))
      .expect(403);
  });

  it('refuses a token with neither act nor client_id', async () => {
    const { app, rejections } = harness({ allowedCallers });
    const token = mint(es256, { claims: { client_id: undefined } });
    await supertest(app).get('/orders').set('Authorization', bearer(token)).expect(403);
    expect(rejections).toEqual([{ status: 403, code: 'caller_not_allowed' }]);
  });

  it('checks the caller before the scopes, so a foreign caller learns nothing about them', async () => {
    const { app } = harness({ allowedCallers, scopes: ['orders:admin'] });
    const token = mint(es256, { claims: { act: { sub: 'image-processor' } } });
    const response = await supertest(app).get('/orders').set('Authorization', bearer(token));
    expect(response.body).toMatchObject({ error: { code: 'caller_not_allowed' } });
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('matches caller names exactly', async () => {
    const { app } = harness({ allowedCallers });
    const token = mint(es256, { claims: { act: { sub: 'Orders' } } });
    await supertest(app).get('/orders').set('Authorization', bearer(token)).expect(403);
  });
});

describe('503 unavailable when the key set cannot be had (the token may be fine)', () => {
  let jwksServer: CountingServer;

  afterEach(async () => {
    await jwksServer.close();
  });

  it('fails closed with 503, no challenge, and never reaches the route', async () => {
    jwksServer = await startCountingServer();
    jwksServer.respondWith((_req, res) => res.writeHead(500).end());
    const remote = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: jwksServer.url,
      now: () => NOW * 1000,
    });
    const { app, reached, errors, rejections } = harness({}, remote);
    const response = await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256)));
    expect(response.status).toBe(503);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({
      error: { code: 'unavailable', message: 'The service cannot verify tokens right now.' },
    });
    expect(reached).toHaveLength(0);
    expect(errors).toHaveLength(0);
    expect(rejections).toEqual([{ status: 503, code: 'unavailable', reason: 'jwks_unavailable' }]);
  });
});

describe('a verifier that breaks its contract still cannot let a request through', () => {
  it.each([
    ['throws a plain Error', () => Promise.reject(new Error('bug'))],
    [
      'throws a TokenVerificationError',
      () => Promise.reject(new TokenVerificationError('claim_invalid', 'x')),
    ],
  ])('answers 401 when verify %s', async (_label, verify) => {
    const { app, reached, errors } = harness({}, { verify, ready: () => Promise.resolve(true) });
    await supertest(app)
      .get('/orders')
      .set('Authorization', bearer(mint(es256)))
      .expect(401);
    expect(reached).toHaveLength(0);
    expect(errors).toHaveLength(0);
  });
});

describe('options', () => {
  const stubVerifier: TokenVerifier = {
    verify: () => Promise.reject(new TokenVerificationError('signature_invalid', 'x')),
    ready: () => Promise.resolve(true),
  };

  it.each([
    ['no verifier', undefined, {}, /verifier/],
    ['a verifier without verify', {}, {}, /verifier/],
    ['an unknown option', stubVerifier, { scope: ['a'] }, /"scope" is not a requireToken option/],
    ['scopes that are a string', stubVerifier, { scopes: 'orders:read' }, /"scopes" option/],
    ['a scope with a quote', stubVerifier, { scopes: ['orders:"read"'] }, /"scopes" option/],
    ['a scope with a space', stubVerifier, { scopes: ['orders read'] }, /"scopes" option/],
    ['an empty caller list', stubVerifier, { allowedCallers: [] }, /"allowedCallers" option/],
    ['an empty caller name', stubVerifier, { allowedCallers: [''] }, /"allowedCallers" option/],
    [
      'a caller list that is a string',
      stubVerifier,
      { allowedCallers: 'gateway' },
      /"allowedCallers" option/,
    ],
    ['an onReject that is not a function', stubVerifier, { onReject: 'log' }, /"onReject" option/],
  ])('refuses %s with a TypeError', (_label, tokenVerifier, options, message) => {
    const build = (): unknown => requireToken(tokenVerifier as TokenVerifier, options as RequireTokenOptions);
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });
});

// Compile-time check: the augmentation types req.auth on every Express request.
export function subjectOf(req: Request): string | undefined {
  return req.auth?.sub;
}
