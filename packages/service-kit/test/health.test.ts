import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';

import { errorHandler } from '../src/error-handler.js';
import { healthRoutes } from '../src/health.js';
import type { HealthRoutesOptions } from '../src/health.js';
import { memoryLogger } from './helpers/memory-logger.js';

function app(options: HealthRoutesOptions = {}): express.Express {
  const created = express();
  created.use(healthRoutes(options));
  created.use(errorHandler({ logger: memoryLogger().logger }));
  return created;
}

describe('healthRoutes', () => {
  it('answers GET /healthz with 200 {status:"ok"}', async () => {
    await request(app()).get('/healthz').expect(200, { status: 'ok' });
  });

  it('is ready without a readiness check', async () => {
    await request(app()).get('/readyz').expect(200, { status: 'ok' });
  });

  it('follows a readiness check, sync or async', async () => {
    await request(app({ readiness: () => true }))
      .get('/readyz')
      .expect(200);
    await request(app({ readiness: () => Promise.resolve(true) }))
      .get('/readyz')
      .expect(200);
    const response = await request(app({ readiness: () => Promise.resolve(false) }))
      .get('/readyz')
      .expect(503);
    expect(response.body).toMatchObject({ error: { code: 'service_unavailable' } });
  });

  it('answers 503 for a throwing check, never 500, and keeps the reason in the log', async () => {
    const log = memoryLogger();
    const readiness = (): boolean => {
      throw new Error('db at 10.1.2.3:5432 refused');
    };
    const response = await request(app({ readiness, logger: log.logger }))
      .get('/readyz')
      .expect(503);
    expect(response.text).not.toContain('10.1.2.3');
    expect(log.text()).toContain('10.1.2.3');
    const rejecting = await request(app({ readiness: () => Promise.reject(new Error('down')) })).get(
      '/readyz',
    );
    expect(rejecting.status).toBe(503);
  });

  it('answers 503 when the check hangs past the timeout', async () => {
    const hanging = (): Promise<boolean> => new Promise(() => undefined);
    await request(app({ readiness: hanging, readinessTimeoutMs: 50 }))
      .get('/readyz')
      .expect(503);
  });

  it('counts only exactly true as ready', async () => {
    const truthy = (() => 'yes') as unknown as () => boolean;
    await request(app({ readiness: truthy }))
      .get('/readyz')
      .expect(503);
  });

  it('answers other methods with 405', async () => {
    const response = await request(app()).post('/healthz').expect(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    await request(app()).delete('/readyz').expect(405);
  });

  it('checks its options when created', () => {
    expect(() => healthRoutes({ readinessTimeoutMs: 0 })).toThrow(TypeError);
  });
});
