// The README's example service, run: its files live in test/example and the README must quote them.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { createApp } from './example/app.js';
import { configSchema } from './example/config.js';
import { createStore } from './example/store.js';
import { parseConfig } from '../src/config.js';
import { memoryLogger } from './helpers/memory-logger.js';

function exampleApp() {
  const log = memoryLogger();
  const store = createStore([{ id: '1', owner: 'alice', item: 'book', quantity: 1 }]);
  return { app: createApp({ logger: log.logger, store }), log };
}

describe('README example service', () => {
  it('serves an owner their order and writes an allow audit line', async () => {
    const { app, log } = exampleApp();
    await request(app).get('/orders/1').set('X-Test-Subject', 'alice').expect(200);
    expect(log.records()).toContainEqual(
      expect.objectContaining({ audit: true, decision: 'allow', subject: 'alice' }),
    );
  });

  it("answers someone else's order with 404 and writes a deny audit line", async () => {
    const { app, log } = exampleApp();
    const response = await request(app).get('/orders/1').set('X-Test-Subject', 'mallory').expect(404);
    expect(response.body).toMatchObject({ error: { code: 'not_found' } });
    expect(log.records()).toContainEqual(
      expect.objectContaining({ audit: true, decision: 'deny', subject: 'mallory' }),
    );
  });

  it('creates orders from valid bodies and refuses invalid ones with 400 invalid_request', async () => {
    const { app } = exampleApp();
    await request(app)
      .post('/orders')
      .set('X-Test-Subject', 'alice')
      .send({ item: 'pen', quantity: 2 })
      .expect(201);
    const response = await request(app).post('/orders').send({ item: 'pen', quantity: 0 }).expect(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('parses its configuration', () => {
    expect(parseConfig(configSchema, { AUTH_URL: 'http://auth:4000' })).toMatchObject({
      PORT: 4100,
      HOST: '127.0.0.1',
      EXPOSE_DEBUG_ROUTES: false,
    });
  });

  // Compared modulo formatting: prettier wraps the two import paths differently.
  const normalize = (code: string): string => code.replace(/,(\s*[}\])])/g, '$1').replace(/\s+/g, '');

  it.each(['config.ts', 'app.ts', 'index.ts'])('is quoted in the README: %s', (file) => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL(`./example/${file}`, import.meta.url), 'utf8').replaceAll(
      "'../../src/index.js'",
      "'@airlock/service-kit'",
    );
    expect(normalize(readme).includes(normalize(source))).toBe(true);
  });
});
