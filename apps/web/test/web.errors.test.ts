// Error cases: a wrong method is 405 with Allow, an unknown path is 404, both in the one error envelope; a bad
// environment is refused at start-up with every bad variable named.
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ConfigError } from '@airlock/service-kit';
import { portVariableOf } from '@airlock/topology';
import { errorCode } from '@airlock/testing/http';

import { parseWebConfig } from '../src/config.js';
import { service } from '../src/service.js';
import { createHarness, exampleRoute } from './support/harness.js';
import type { Harness } from './support/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
});

describe('errors', () => {
  it('answers another method on the example path with 405 and Allow', async () => {
    const response = await request(harness.app)
      .post(exampleRoute.path)
      .set('Authorization', `Bearer ${await harness.token()}`)
      .expect(405);
    expect(errorCode(response)).toBe('method_not_allowed');
    expect(response.headers['allow']).toBe('GET, HEAD');
  });

  it('answers an unknown path with 404 not_found', async () => {
    const response = await request(harness.app)
      .get(`${exampleRoute.path}-unknown`)
      .set('Authorization', `Bearer ${await harness.token()}`)
      .expect(404);
    expect(errorCode(response)).toBe('not_found');
  });

  it('does not match another spelling of the path', async () => {
    await request(harness.app)
      .get(exampleRoute.path.toUpperCase())
      .set('Authorization', `Bearer ${await harness.token()}`)
      .expect(404);
  });
});

describe('configuration', () => {
  it('takes its port from the topology by default', () => {
    expect(parseWebConfig({}).port).toBe(service.port);
  });

  it('refuses a bad port and a bad log level together, naming both variables', () => {
    const parse = (): unknown =>
      parseWebConfig({ [portVariableOf(service.name)]: 'eighty', LOG_LEVEL: 'loud' });
    expect(parse).toThrow(ConfigError);
    try {
      parse();
    } catch (error) {
      const issues = error instanceof ConfigError ? error.issues.map((issue) => issue.variable) : [];
      expect(issues.sort()).toEqual(['LOG_LEVEL', portVariableOf(service.name)].sort());
    }
  });
});
