// The Idempotency-Key header: one well-formed key is returned as sent; anything else is 400 without an echo.
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';

import { errorHandler } from '../src/error-handler.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
} from '../src/idempotency-key.js';
import { memoryLogger } from './helpers/memory-logger.js';

function app(): express.Express {
  const created = express();
  created.post('/', (req, res) => {
    res.json({ key: idempotencyKeyOf(req) });
  });
  created.use(errorHandler({ logger: memoryLogger().logger }));
  return created;
}

describe('idempotencyKeyOf', () => {
  it('names the standard headers', () => {
    expect(IDEMPOTENCY_KEY_HEADER).toBe('Idempotency-Key');
    expect(IDEMPOTENT_REPLAYED_HEADER).toBe('Idempotent-Replayed');
  });

  it.each(['abcdefgh', 'A1_b2-C3', 'k'.repeat(128), '3f0c2a1e-9b7d-4c5e-8f6a-0b1c2d3e4f5a'])(
    'returns the key %s as sent',
    async (key) => {
      const response = await request(app()).post('/').set('Idempotency-Key', key).expect(200);
      expect(response.body).toEqual({ key });
    },
  );

  it.each([
    ['missing', undefined],
    ['too short', 'abcdefg'],
    ['too long', 'k'.repeat(129)],
    ['a space', 'key with spaces'],
    ['a header split attempt', 'abcdefgh%0d%0aSet-Cookie:x'],
    ['a dot', 'abcdefgh.ij'],
    ['a token-shaped value', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'],
  ])('refuses a key that is %s with 400 invalid_idempotency_key, without echoing it', async (_name, key) => {
    const call = request(app()).post('/');
    if (key !== undefined) call.set('Idempotency-Key', key);
    const response = await call.expect(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_idempotency_key' } });
    if (key !== undefined) expect(response.text).not.toContain(key);
  });

  it('refuses two keys: Node joins repeated headers, and the joined value is no key', async () => {
    const server = app().listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const sent = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            // Raw header list: the same header twice, each value well formed on its own.
            headers: ['Idempotency-Key', 'first-key-1', 'Idempotency-Key', 'second-key-2'],
          },
          (response) => {
            response.resume();
            resolve(response.statusCode);
          },
        );
        sent.on('error', reject);
        sent.end();
      });
      expect(status).toBe(400);
    } finally {
      server.close();
    }
  });
});
