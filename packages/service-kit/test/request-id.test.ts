import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';

import { requestId } from '../src/request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function app(trustIncoming: boolean): express.Express {
  const created = express();
  created.use(requestId({ trustIncoming }));
  created.get('/', (req, res) => res.json({ id: req.id }));
  return created;
}

describe('requestId', () => {
  it('generates a UUID, sets req.id and echoes it in X-Request-Id', async () => {
    const response = await request(app(false)).get('/').expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.body).toEqual({ id: response.headers['x-request-id'] });
  });

  it('gives every request its own id', async () => {
    const [a, b] = await Promise.all([request(app(false)).get('/'), request(app(false)).get('/')]);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('accepts a well-formed incoming id from trusted hops', async () => {
    const response = await request(app(true)).get('/').set('X-Request-Id', 'gw-0123456789abcdef').expect(200);
    expect(response.headers['x-request-id']).toBe('gw-0123456789abcdef');
  });

  it('ignores incoming ids when not trusted (the gateway)', async () => {
    const response = await request(app(false))
      .get('/')
      .set('X-Request-Id', 'client-chosen-id-123')
      .expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(65)],
    ['spaces', 'has spaces in it'],
    ['a log-injection attempt', 'id","level":"fatal'],
    ['two ids', 'first-id-123, second-id-456'],
    ['a token', 'Bearer abcdefghijkl'],
    ['non-ASCII', 'idéidéidéidé'],
  ])('replaces a bad incoming id (%s) with a generated one', async (_case, incoming) => {
    const response = await request(app(true)).get('/').set('X-Request-Id', incoming).expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('refuses an option that is not a boolean', () => {
    expect(() => requestId({ trustIncoming: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});
