// Security: the token layer derived from the topology (every route x the shared authentication failures, audience
// replay from every other service, registered routes == topology routes), then the service's own authorization
// cases: the subject comes from the token alone, and callers the topology does not name are refused.
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { callersOfRoute } from '@airlock/topology';
import { errorCode } from '@airlock/testing/http';
import { describeTokenLayer } from '@airlock/testing/token-layer-suite';

import { webRoutes } from '../src/app.js';
import { service, tokenPolicy, topology } from '../src/service.js';
import { auditLines, createHarness, exampleRoute, validClaims } from './support/harness.js';
import type { Harness } from './support/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
});

describeTokenLayer({
  service: service.name,
  topology,
  requiredClaims: tokenPolicy.requiredClaims,
  app: () => harness.app,
  issuer: () => harness.issuer,
  validClaims,
  registeredRoutes: webRoutes,
});

describe('authorization', () => {
  const allowed = callersOfRoute(topology, service.name, exampleRoute.method, exampleRoute.path);
  const refused = topology.services
    .map((candidate) => candidate.name)
    .filter((name) => name !== service.name && !allowed.includes(name));

  it.each(refused)('refuses a token relayed by %s, which the topology does not allow', async (caller) => {
    const response = await request(harness.app)
      .get(exampleRoute.path)
      .set('Authorization', `Bearer ${await harness.token({ act: { sub: caller } })}`)
      .expect(403);
    expect(errorCode(response)).toBe('caller_not_allowed');
  });

  it('refuses a client calling directly, with no caller in the token', async () => {
    const response = await request(harness.app)
      .get(exampleRoute.path)
      .set('Authorization', `Bearer ${await harness.token({ act: undefined })}`)
      .expect(403);
    expect(errorCode(response)).toBe('caller_not_allowed');
  });

  it('names the subject of the token, never one the client sends', async () => {
    const response = await request(harness.app)
      .get(`${exampleRoute.path}?sub=mallory&subject=mallory`)
      .set('Authorization', `Bearer ${await harness.token()}`)
      .set('X-User', 'mallory')
      .set('X-Forwarded-User', 'mallory')
      .expect(200);
    expect(response.body).toEqual({ service: service.name, subject: 'alice' });
  });

  it('audits a refusal with its reason and caller, and never logs the token', async () => {
    const [caller] = refused;
    if (caller === undefined) throw new Error('the topology has no service that may not call this one');
    const token = await harness.token({ act: { sub: caller } });
    const response = await request(harness.app)
      .get(exampleRoute.path)
      .set('Authorization', `Bearer ${token}`)
      .expect(403);
    const line = auditLines(harness.logLines()).find(
      (candidate) => candidate['requestId'] === response.headers['x-request-id'],
    );
    expect(line).toMatchObject({ decision: 'deny', reason: 'caller_not_allowed', caller });
    expect(harness.rawLog()).not.toContain(token);
    expect(harness.rawLog()).not.toContain(token.split('.')[2]);
  });
});
