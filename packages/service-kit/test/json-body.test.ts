import { gzipSync } from 'node:zlib';

import { describe, expect, it } from '@jest/globals';
import express from 'express';
import type { Express } from 'express';
import request from 'supertest';

import { errorHandler } from '../src/error-handler.js';
import { jsonBody } from '../src/json-body.js';
import { memoryLogger } from './helpers/memory-logger.js';

const LIMIT = 1024 * 1024;

function echoApp(options: { limitBytes: number; maxDepth?: number } = { limitBytes: LIMIT }): Express {
  const app = express();
  app.use(jsonBody(options));
  app.all('/echo', (req, res) => {
    const body: unknown = req.body;
    res.json({ received: body === undefined ? 'nothing' : body });
  });
  app.use(errorHandler({ logger: memoryLogger().logger }));
  return app;
}

const post = (app: Express, body: string, type = 'application/json') =>
  request(app).post('/echo').set('Content-Type', type).send(body);

describe('jsonBody: happy path', () => {
  it('parses objects and arrays', async () => {
    await post(echoApp(), '{"a":1,"b":[true,null]}').expect(200, { received: { a: 1, b: [true, null] } });
    await post(echoApp(), '[1,2]').expect(200, { received: [1, 2] });
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"'])(
    'accepts Content-Type %s',
    async (type) => {
      await post(echoApp(), '{"a":1}', type).expect(200);
    },
  );

  it('leaves req.body undefined when there is no body', async () => {
    await request(echoApp()).post('/echo').expect(200, { received: 'nothing' });
    await request(echoApp()).get('/echo').expect(200, { received: 'nothing' });
    await request(echoApp())
      .delete('/echo')
      .set('Content-Length', '0')
      .set('Content-Type', 'text/plain')
      .expect(200);
  });
});

describe('jsonBody: errors are 4xx, never 500', () => {
  it('answers malformed JSON with 400 invalid_json, without echoing it', async () => {
    const response = await post(echoApp(), '{"password": "hunter2",').expect(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_json' } });
    expect(response.text).not.toContain('hunter2');
  });

  it.each(['"a string"', '42', 'true', 'null'])('refuses the top-level scalar %s (strict)', async (body) => {
    const response = await post(echoApp(), body).expect(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers a 2 MB body with 413 payload_too_large', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(2 * 1024 * 1024) });
    const response = await post(echoApp(), big).expect(413);
    expect(response.body).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('counts the limit in bytes, not characters', async () => {
    const app = echoApp({ limitBytes: 100 });
    await post(app, JSON.stringify({ s: 'é'.repeat(40) })).expect(200);
    await post(app, JSON.stringify({ s: 'é'.repeat(60) })).expect(413);
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
    'application/merge-patch+json',
    'multipart/form-data; boundary=x',
  ])('answers a %s body with 415', async (type) => {
    const response = await post(echoApp(), '{"a":1}', type).expect(415);
    expect(response.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('answers a body without Content-Type with 415', async () => {
    const response = await request(echoApp())
      .post('/echo')
      .send(Buffer.from('{"a":1}'))
      .unset('Content-Type')
      .expect(415);
    expect(response.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it.each([
    'application/json; charset=utf-16',
    'application/json; charset=iso-8859-1',
    'application/json; charset',
  ])('answers %s with 415 (JSON is UTF-8)', async (type) => {
    await post(echoApp(), '{"a":1}', type).expect(415);
  });

  it('refuses compressed bodies with 415 (a small gzip can inflate to gigabytes)', async () => {
    const response = await request(echoApp())
      .post('/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(gzipSync('{"a":1}'))
      .expect(415);
    expect(response.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('refuses non-JSON bodies on any method', async () => {
    await request(echoApp()).put('/echo').set('Content-Type', 'text/plain').send('x').expect(415);
    await request(echoApp()).patch('/echo').set('Content-Type', 'text/plain').send('x').expect(415);
    await request(echoApp()).delete('/echo').set('Content-Type', 'text/plain').send('x').expect(415);
  });
});

describe('jsonBody: security', () => {
  it.each([
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"order":{"items":[{"__proto__":{"admin":true}}]}}',
    '[{"prototype":1}]',
  ])('answers %s with 400 forbidden_json_key', async (body) => {
    const response = await post(echoApp(), body).expect(400);
    expect(response.body).toMatchObject({ error: { code: 'forbidden_json_key' } });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('allows the same words as values', async () => {
    await post(echoApp(), '{"name":"__proto__","kind":"constructor"}').expect(200);
  });

  it('answers deeply nested bodies with 400 json_too_deep', async () => {
    const response = await post(
      echoApp({ limitBytes: LIMIT, maxDepth: 8 }),
      '['.repeat(9) + ']'.repeat(9),
    ).expect(400);
    expect(response.body).toMatchObject({ error: { code: 'json_too_deep' } });
    await post(echoApp({ limitBytes: LIMIT, maxDepth: 8 }), '['.repeat(8) + ']'.repeat(8)).expect(200);
  });

  it('survives nesting far deeper than any recursion limit', async () => {
    const depth = 200_000;
    const response = await post(echoApp(), '['.repeat(depth) + ']'.repeat(depth)).expect(400);
    expect(response.body).toMatchObject({ error: { code: 'json_too_deep' } });
  });

  it('checks its options when created', () => {
    expect(() => jsonBody({ limitBytes: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ limitBytes: 1.5 })).toThrow(TypeError);
    expect(() => jsonBody({ limitBytes: 10, maxDepth: 0 })).toThrow(TypeError);
  });
});
