import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Express, RequestHandler } from 'express';
import request from 'supertest';

import { errorHandler, methodNotAllowedHandler, notFoundHandler } from '../src/error-handler.js';
import { badRequest, methodNotAllowed, serviceUnavailable } from '../src/errors.js';
import { requestId } from '../src/request-id.js';
import { memoryLogger } from './helpers/memory-logger.js';
import type { MemoryLogger } from './helpers/memory-logger.js';

/** A canary made per run; no response may carry it. */
const SECRET = `canary-${randomBytes(18).toString('base64url')}`;

function appWith(route: RequestHandler, log: MemoryLogger = memoryLogger()): Express {
  const app = express();
  app.use(requestId({ trustIncoming: false }));
  app.get('/thing', route);
  app
    .route('/only-get')
    .get((_req, res) => res.json({}))
    .all(methodNotAllowedHandler(['GET', 'HEAD']));
  app.use(notFoundHandler);
  app.use(errorHandler({ logger: log.logger }));
  return app;
}

describe('errorHandler', () => {
  it('answers an AppError with its status, code, message, headers and the request id', async () => {
    const app = appWith(() => {
      throw badRequest('invalid_order', 'The order is invalid.');
    });
    const response = await request(app)
      .get('/thing')
      .expect(400)
      .expect('Content-Type', /application\/json/);
    expect(response.body).toEqual({
      error: {
        code: 'invalid_order',
        message: 'The order is invalid.',
        requestId: response.headers['x-request-id'],
      },
    });
  });

  it('sets the error headers (Allow, Retry-After)', async () => {
    const response = await request(
      appWith(() => {
        throw methodNotAllowed(['GET']);
      }),
    )
      .get('/thing')
      .expect(405);
    expect(response.headers.allow).toBe('GET');
    const busy = await request(
      appWith(() => {
        throw serviceUnavailable(7);
      }),
    )
      .get('/thing')
      .expect(503);
    expect(busy.headers['retry-after']).toBe('7');
  });

  it('handles rejected promises from async routes', async () => {
    const app = appWith(async () => {
      await Promise.resolve();
      throw badRequest('late', 'Late failure.');
    });
    const response = await request(app).get('/thing').expect(400);
    expect(response.body).toMatchObject({ error: { code: 'late' } });
  });

  it('answers anything else with a generic 500 and logs the details with the request id', async () => {
    const log = memoryLogger();
    const app = appWith(() => {
      throw Object.assign(new Error(`connect ECONNREFUSED 10.0.3.7:5432 password=${SECRET}`), {
        code: 'ECONNREFUSED',
      });
    }, log);
    const response = await request(app).get('/thing').expect(500);
    const id = response.headers['x-request-id'];
    expect(response.body).toEqual({
      error: { code: 'internal_error', message: 'An internal error occurred.', requestId: id },
    });
    // Nothing internal reaches the client: not the message, the stack, the library code or the address.
    expect(response.text).not.toContain(SECRET);
    expect(response.text).not.toContain('ECONNREFUSED');
    expect(response.text).not.toContain('10.0.3.7');
    expect(response.text).not.toContain('at ');
    const logged = log.records().find((record) => record.msg === 'request failed');
    expect(logged).toMatchObject({ requestId: id, level: 'error', err: { code: 'ECONNREFUSED' } });
    expect(JSON.stringify(logged)).toContain('"stack"');
  });

  it('answers thrown non-errors (strings, objects) with a generic 500', async () => {
    const response = await request(
      appWith(() => {
        throw { secret: SECRET } as unknown as Error;
      }),
    )
      .get('/thing')
      .expect(500);
    expect(response.text).not.toContain(SECRET);
  });

  it('does not leak an error message that looks like a client error', async () => {
    const error = Object.assign(new Error(`no such user ${SECRET}`), { status: 404, expose: true });
    const response = await request(
      appWith(() => {
        throw error;
      }),
    )
      .get('/thing')
      .expect(500);
    expect(response.text).not.toContain(SECRET);
  });

  it('maps a badly encoded path parameter to 400 without echoing it', async () => {
    const app = express();
    app.get('/orders/:id', (_req, res) => res.json({}));
    app.use(errorHandler({ logger: memoryLogger().logger }));
    const response = await request(app).get('/orders/%E0%A4%A').expect(400);
    expect(response.body).toMatchObject({ error: { code: 'bad_request' } });
    expect(response.text).not.toContain('%E0');
  });

  it('drops headers the route meant for a successful response', async () => {
    const app = appWith((_req, res) => {
      res.setHeader('Location', '/orders/1');
      res.setHeader('Content-Disposition', 'attachment');
      throw badRequest('nope', 'Nope.');
    });
    const response = await request(app).get('/thing').expect(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-disposition']).toBeUndefined();
  });

  it('cuts the connection when the response had already started', async () => {
    const app = appWith((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"partial":');
      throw new Error('mid-stream');
    });
    await expect(request(app).get('/thing')).rejects.toThrow();
  });
});

describe('notFoundHandler and methodNotAllowedHandler', () => {
  it('answers unknown routes with 404 not_found, without echoing the path', async () => {
    const response = await request(appWith(() => undefined))
      .get('/secret-admin-path')
      .expect(404);
    expect(response.body).toMatchObject({ error: { code: 'not_found' } });
    expect(response.text).not.toContain('secret-admin-path');
  });

  it('answers other methods on a known route with 405 and Allow', async () => {
    const response = await request(appWith(() => undefined))
      .delete('/only-get')
      .expect(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.body).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('checks the method list when built', () => {
    expect(() => methodNotAllowedHandler([])).toThrow(TypeError);
  });
});
