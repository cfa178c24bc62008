import { describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { createServiceApp, finishApp } from '../src/create-service-app.js';
import { badRequest } from '../src/errors.js';
import { jsonBody } from '../src/json-body.js';
import { createRouter } from '../src/router.js';
import { SECURITY_HEADERS } from '../src/security-headers.js';
import { memoryLogger } from './helpers/memory-logger.js';
import type { MemoryLogger } from './helpers/memory-logger.js';

const b64url = (value: string): string => Buffer.from(value).toString('base64url');
const JWT = [
  b64url('{"alg":"ES256"}'),
  b64url('{"sub":"alice"}'),
  b64url('signature-signature-signature'),
].join('.');

function service(log: MemoryLogger = memoryLogger(), trustIncomingRequestId = false) {
  const app = createServiceApp({ logger: log.logger, trustIncomingRequestId, readiness: () => true });
  const orders = createRouter();
  orders.get('/orders/:id', (req, res) => res.json({ id: req.params.id }));
  orders.post('/orders', jsonBody({ limitBytes: 1024 }), (req, res) =>
    res.status(201).json({ created: req.body as unknown }),
  );
  orders.get('/boom', () => {
    throw new Error(`database password is hunter2 ${JWT}`);
  });
  orders.get('/bad', () => {
    throw badRequest('invalid_order', 'The order is invalid.');
  });
  app.use(orders);
  return finishApp(app, { logger: log.logger });
}

describe('createServiceApp', () => {
  it('serves health routes and the service routes', async () => {
    await request(service()).get('/healthz').expect(200, { status: 'ok' });
    await request(service()).get('/readyz').expect(200);
    await request(service()).get('/orders/42').expect(200, { id: '42' });
  });

  it('sets the JSON security headers on every response, errors and 404s included', async () => {
    for (const path of ['/orders/1', '/healthz', '/nowhere', '/boom']) {
      const response = await request(service()).get(path);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(response.headers[name.toLowerCase()]).toBe(value);
    }
  });

  it('says nothing about the stack and sends no ETag', async () => {
    const response = await request(service()).get('/orders/1').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers.etag).toBeUndefined();
  });

  it('ignores X-Forwarded-* headers (trust proxy off)', async () => {
    const log = memoryLogger();
    const app = createServiceApp({ logger: log.logger, trustIncomingRequestId: false });
    app.get('/whoami', (req, res) => res.json({ ip: req.ip, protocol: req.protocol, secure: req.secure }));
    finishApp(app, { logger: log.logger });
    const response = await request(app)
      .get('/whoami')
      .set('X-Forwarded-For', '203.0.113.9')
      .set('X-Forwarded-Proto', 'https')
      .expect(200);
    expect(response.body).toEqual({
      ip: expect.stringMatching(/127\.0\.0\.1|::1/),
      protocol: 'http',
      secure: false,
    });
  });

  it('routes case-sensitively and strictly, so a path has one spelling', async () => {
    await request(service()).get('/Orders/42').expect(404);
    await request(service()).get('/orders/42/').expect(404);
  });

  it('escapes markup in JSON responses', async () => {
    const response = await request(service()).get('/orders/%3Cscript%3E').expect(200);
    expect(response.text).not.toContain('<script>');
    expect(response.body).toEqual({ id: '<script>' });
  });

  it('answers unknown routes with the 404 envelope', async () => {
    const response = await request(service()).get('/nowhere').expect(404);
    expect(response.body).toEqual({
      error: {
        code: 'not_found',
        message: expect.any(String),
        requestId: response.headers['x-request-id'],
      },
    });
  });

  it('answers a thrown Error with a generic 500 and keeps secrets and stack out of the body and the log', async () => {
    const log = memoryLogger();
    const response = await request(service(log)).get('/boom').expect(500);
    expect(response.body).toMatchObject({ error: { code: 'internal_error' } });
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain(JWT);
    expect(response.text).not.toMatch(/at .*\.ts/);
    expect(log.text()).toContain('hunter2'); // the message is logged (not a credential pattern) ...
    expect(log.text()).not.toContain(JWT); // ... but the token in it is not
  });

  it('writes one access line per request: method, path without query, status, duration, id, error code; never headers', async () => {
    const log = memoryLogger();
    const response = await request(service(log))
      .get(`/bad?access_token=${JWT}&q=1`)
      .set('Authorization', `Bearer ${JWT}`)
      .set('Cookie', 'sid=cookie-secret')
      .expect(400);
    const access = log.records().filter((record) => record.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      method: 'GET',
      path: '/bad',
      status: 400,
      requestId: response.headers['x-request-id'],
      errorCode: 'invalid_order',
    });
    expect(typeof access[0]?.durationMs).toBe('number');
    expect(access[0]).not.toHaveProperty('headers');
    expect(log.text()).not.toContain(JWT);
    expect(log.text()).not.toContain('cookie-secret');
    expect(log.text()).not.toContain('access_token');
  });

  it('logs successful health probes at debug and everything else at info', async () => {
    const log = memoryLogger();
    await request(service(log)).get('/healthz').expect(200);
    await request(service(log)).get('/readyz').expect(200);
    await request(service(log)).get('/orders/1').expect(200);
    const access = log.records().filter((record) => record.msg === 'request');
    expect(access.map((record) => [record.path, record.level])).toEqual([
      ['/healthz', 'debug'],
      ['/readyz', 'debug'],
      ['/orders/1', 'info'],
    ]);
  });

  it('generates request ids at the gateway and accepts them inside', async () => {
    const outside = await request(service()).get('/healthz').set('X-Request-Id', 'chosen-by-client-1');
    expect(outside.headers['x-request-id']).not.toBe('chosen-by-client-1');
    const inside = await request(service(memoryLogger(), true))
      .get('/healthz')
      .set('X-Request-Id', 'from-gateway-0001');
    expect(inside.headers['x-request-id']).toBe('from-gateway-0001');
  });

  it('works with jsonBody on a route', async () => {
    await request(service())
      .post('/orders')
      .send({ item: 'book' })
      .expect(201, { created: { item: 'book' } });
    const response = await request(service())
      .post('/orders')
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{}}');
    expect(response.status).toBe(400);
  });
});
