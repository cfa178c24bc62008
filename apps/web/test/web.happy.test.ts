// GET /web, happy path: a token an allowed caller relays for a user is answered with the user's
// subject, and the decision is audited.
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { service } from '../src/service.js';
import { auditLines, createHarness, exampleRoute } from './support/harness.js';
import type { Harness } from './support/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
});

describe(`GET ${exampleRoute.path}`, () => {
  it('answers 200 with the service and the subject of the token', async () => {
    const response = await request(harness.app)
      .get(exampleRoute.path)
      .set('Authorization', `Bearer ${await harness.token()}`)
      .expect(200);
    expect(response.body).toEqual({ service: service.name, subject: 'alice' });
  });

  it('names whichever user the token was issued for', async () => {
    const response = await request(harness.app)
      .get(exampleRoute.path)
      .set('Authorization', `Bearer ${await harness.token({ sub: 'bob' })}`)
      .expect(200);
    expect(response.body).toEqual({ service: service.name, subject: 'bob' });
  });

  it('writes one allow audit line naming the subject and the caller', async () => {
    const response = await request(harness.app)
      .get(exampleRoute.path)
      .set('Authorization', `Bearer ${await harness.token()}`)
      .expect(200);
    const lines = auditLines(harness.logLines()).filter(
      (line) => line['requestId'] === response.headers['x-request-id'],
    );
    expect(lines).toEqual([
      expect.objectContaining({
        decision: 'allow',
        route: `GET ${exampleRoute.path}`,
        subject: 'alice',
        caller: harness.caller,
      }),
    ]);
  });

  it('answers the health probes without a token', async () => {
    await request(harness.app).get('/healthz').expect(200);
    await request(harness.app).get('/readyz').expect(200);
  });
});
