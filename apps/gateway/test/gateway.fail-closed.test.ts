// Fail closed: whatever goes wrong at auth (down, slow, or answering nonsense), the request is refused with a
// generic 503 and nothing reaches the service. Failures are not cached: the next request asks auth again.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Agent, request } from 'undici';
import { startStubAuth, tokenFor, type StubAuth, type StubAuthMode } from './support/stub-auth.js';
import { CLOSED_ORIGIN, startTestGateway, type TestGateway } from './support/start-gateway.js';
import { startStub, whoamiHandler, type StubServer } from './support/stub-server.js';

let auth: StubAuth;
let orders: StubServer;
let gw: TestGateway;
const agent = new Agent();
let counter = 0;

beforeAll(async () => {
  auth = await startStubAuth();
  orders = await startStub(whoamiHandler);
  gw = await startTestGateway({ authUrl: auth.url, ordersUrl: orders.url });
});
afterAll(async () => {
  await agent.close();
  await gw.close();
  await Promise.all([orders.close(), auth.close()]);
});
beforeEach(() => {
  auth.mode = 'ok';
  gw.decisions.length = 0;
});

async function callOrders(token: string) {
  const started = performance.now();
  const res = await request(`${gw.url}/api/orders`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, elapsedMs: performance.now() - started };
}

describe.each<[StubAuthMode, string]>([
  ['status_500', 'auth_error_status'],
  ['html', 'auth_invalid_response'],
  ['empty_object', 'auth_invalid_response'],
  ['active_string', 'auth_invalid_response'],
  ['wrong_aud', 'auth_invalid_response'],
  ['two_audiences', 'auth_invalid_response'],
  ['expired', 'auth_invalid_response'],
  ['non_jwt', 'auth_invalid_response'],
  ['wrong_issuer', 'auth_invalid_response'],
  ['wrong_typ', 'auth_invalid_response'],
  ['no_actor', 'auth_invalid_response'],
  ['not_json', 'auth_invalid_response'],
  ['invalid_target', 'auth_refused_gateway'],
  ['reset', 'auth_unreachable'],
])('auth answers %s', (mode, reason) => {
  test(`503 service_unavailable, nothing forwarded, audit reason ${reason}, not cached`, async () => {
    counter += 1;
    const token = tokenFor(`garbage${counter}`);
    const forwardedBefore = orders.received.length;
    auth.mode = mode;
    const res = await callOrders(token);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'service_unavailable' } });
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONN|undici|auth_/);
    expect(orders.received.length).toBe(forwardedBefore);
    expect(gw.decisions.at(-1)).toMatchObject({ allowed: false, reason });
    // A failure is never remembered: once auth is sane again, the same token works.
    auth.mode = 'ok';
    expect((await callOrders(token)).status).toBe(200);
  });
});

describe('timeouts and unreachable auth', () => {
  test('auth that never answers: 503 within the 2 s deadline', async () => {
    auth.mode = 'slow';
    const forwardedBefore = orders.received.length;
    const res = await callOrders(tokenFor('slowpoke'));
    expect(res.status).toBe(503);
    // The deadline is 2 s (AbortSignal.timeout); the rest is scheduling slack on a loaded machine.
    expect(res.elapsedMs).toBeLessThan(2_750);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(1_900);
    expect(orders.received.length).toBe(forwardedBefore);
    expect(gw.decisions.at(-1)).toMatchObject({ reason: 'auth_timeout' });
  });

  test('auth that stalls mid-body: 503 within the deadline', async () => {
    auth.mode = 'hang_body';
    const res = await callOrders(tokenFor('stall'));
    expect(res.status).toBe(503);
    expect(res.elapsedMs).toBeLessThan(2_750);
  });

  test('auth refused (connection refused): 503 at once, nothing forwarded', async () => {
    const down = await startTestGateway({ authUrl: CLOSED_ORIGIN, ordersUrl: orders.url });
    try {
      const forwardedBefore = orders.received.length;
      const started = performance.now();
      const res = await request(`${down.url}/api/orders`, {
        headers: { authorization: `Bearer ${tokenFor('alice')}` },
      });
      const body = await res.body.text();
      expect(res.statusCode).toBe(503);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect(orders.received.length).toBe(forwardedBefore);
      expect(down.decisions.at(-1)).toMatchObject({ allowed: false, reason: 'auth_unreachable' });
    } finally {
      await down.close();
    }
  });

  test('the client assertion cannot be signed: 503', async () => {
    const broken = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: orders.url,
      clientAssertion: () => Promise.reject(new Error('key unavailable')),
    });
    try {
      const res = await request(`${broken.url}/api/orders`, {
        headers: { authorization: `Bearer ${tokenFor('alice')}` },
      });
      await res.body.text();
      expect(res.statusCode).toBe(503);
    } finally {
      await broken.close();
    }
  });
});
