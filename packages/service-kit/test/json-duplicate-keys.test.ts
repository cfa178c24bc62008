// Issue 11, finding 12: a body that names the same key twice is refused, because two parsers (a proxy, a
// logger, a signature check, this service) may disagree about which of the two values counts.
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import type { Express } from 'express';
import request from 'supertest';

import { errorHandler } from '../src/error-handler.js';
import { jsonBody } from '../src/json-body.js';
import { memoryLogger } from './helpers/memory-logger.js';

function echoApp(): Express {
  const app = express();
  app.use(jsonBody({ limitBytes: 64 * 1024 }));
  app.post('/echo', (req, res) => {
    res.json({ received: req.body as unknown });
  });
  app.use(errorHandler({ logger: memoryLogger().logger }));
  return app;
}

const post = (body: string) =>
  request(echoApp()).post('/echo').set('Content-Type', 'application/json').send(body);

describe('jsonBody: duplicate keys', () => {
  it.each([
    ['at the top level', '{"amount":1,"amount":100}'],
    ['in a nested object', '{"order":{"id":"a","id":"b"}}'],
    ['inside an array', '[{"a":1},{"b":1,"b":2}]'],
    ['spelled with an escape', '{"amount":1,"\\u0061mount":2}'],
    ['after a nested object closes', '{"a":{"x":1},"b":2,"a":3}'],
  ])('refuses a key repeated %s with 400 duplicate_json_key', async (_where, body) => {
    const response = await post(body).expect(400);
    expect(response.body).toMatchObject({ error: { code: 'duplicate_json_key' } });
  });

  it.each([
    ['the same key in sibling objects', '[{"a":1},{"a":2}]'],
    ['the same key at two depths', '{"a":{"a":{"a":1}}}'],
    ['a key that equals a string value', '{"a":"b","b":"a"}'],
    ['keys with quotes and braces inside', '{"a\\"}":1,"a\\"{":2,"x":"{\\"a\\":1,\\"a\\":2}"}'],
  ])('accepts %s', async (_what, body) => {
    const response = await post(body).expect(200);
    expect(response.body).toEqual({ received: JSON.parse(body) as unknown });
  });
});
