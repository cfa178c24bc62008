// `./airlock start --shared-state` as a user runs it (issue 12): PostgreSQL and Redis on loopback, two gateways on
// the one published port, two auth, two orders and two payments replicas (each pair on one port). Through that one
// port a user signs in, orders and pays; and the requests reach both gateways and both auth replicas, as their
// own log lines show (each replica's output is labelled; nothing about replicas reaches a client).
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SHARED_STATE_REPLICAS, sharedStateReplicas } from '@airlock/local-stack/shared-state-stack';
import { edgeService, airlockTopology, issuerServiceOf } from '@airlock/topology';

import { call, fieldOf, orderOne, startE2eStack, type E2eStack } from './support/e2e-stack.js';

/** Requests on connections of their own: with two replicas, all landing on one is a 2^-(n-1) chance. */
const SPREAD_REQUESTS = 48;
/** The gateway's default cap on one client's token lookups in flight (AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT). */
const BATCH = 16;
const EDGE = edgeService(airlockTopology).name;
const AUTH = issuerServiceOf(airlockTopology).name;

let e2e: E2eStack;
let alice: string;

beforeAll(async () => {
  e2e = await startE2eStack({}, {}, { sharedState: true });
  alice = await e2e.signIn('alice');
}, 240_000);

afterAll(async () => {
  await e2e.close();
}, 60_000);

/** A GET on a new connection (no keep-alive), so the kernel picks a listening replica for each one. */
function getOnNewConnection(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.once('end', () => {
        resolve(response.statusCode ?? 0);
      });
    });
    sent.once('error', reject);
    sent.end();
  });
}

/** The output lines of each replica of `service` (labelled `service`, `service#2`, …) that match `pattern`. */
function linesPerReplica(service: string, pattern: RegExp): number[] {
  return Array.from({ length: SHARED_STATE_REPLICAS }, (_, index) => {
    const label = index === 0 ? `[${service}] ` : `[${service}#${String(index + 1)}] `;
    return e2e.output.filter((line) => line.startsWith(label) && pattern.test(line)).length;
  });
}

describe('./airlock start --shared-state', () => {
  it('runs two replicas of the edge and of auth, and one of a service that keeps sessions in memory', () => {
    const replicas = sharedStateReplicas();
    expect(replicas[EDGE]).toBe(SHARED_STATE_REPLICAS);
    expect(replicas[AUTH]).toBe(SHARED_STATE_REPLICAS);
    expect(Object.values(replicas).filter((count) => count === 1).length).toBeGreaterThan(0);
  });

  it('signs in, orders and pays through the one published port', async () => {
    const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
    expect(catalog.status).toBe(200);
    const sku = String(fieldOf((catalog.body as unknown[])[0], 'sku'));
    const orderId = await orderOne(e2e.edgeUrl, alice, sku);
    const paid = await call(`${e2e.edgeUrl}/api/orders/${orderId}/pay`, alice, {
      method: 'POST',
      headers: { 'idempotency-key': `shared-state-${randomBytes(8).toString('hex')}` },
    });
    expect(paid.status).toBe(200);
    const shown = await call(`${e2e.edgeUrl}/api/orders/${orderId}`, alice);
    expect(fieldOf(shown.body, 'status')).toBe('paid');
    // The answer names no replica, port or internal address.
    expect(paid.text).not.toMatch(/#2|127\.0\.0\.1|gateway/);
  });

  it('spreads requests over both gateways and both auth replicas', async () => {
    const auditLines = /"audit":true/;
    const introspections = /"path":"\/auth\/token(\/introspection)?"/;
    const gatewaysBefore = linesPerReplica(EDGE, auditLines);
    const authBefore = linesPerReplica(AUTH, introspections);
    // Unknown tokens shaped like alice's: each one is looked up at auth (a negative result is not cached yet).
    const unknownTokens = Array.from({ length: SPREAD_REQUESTS }, () =>
      randomBytes(Buffer.from(alice, 'base64url').length).toString('base64url'),
    );
    // In batches no larger than the gateway's cap on one client's exchanges in flight. Concurrency is the point:
    // a gateway keeps its connections to auth alive, so only concurrent lookups open several, which the kernel
    // spreads over the auth replicas (all on one: a chance of about 2^-(BATCH - 1) per batch).
    const statuses: number[] = [];
    for (let start = 0; start < unknownTokens.length; start += BATCH) {
      const batch = unknownTokens.slice(start, start + BATCH);
      statuses.push(
        ...(await Promise.all(batch.map((token) => getOnNewConnection(`${e2e.edgeUrl}/api/catalog`, token)))),
      );
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    const gatewaysAfter = linesPerReplica(EDGE, auditLines);
    const authAfter = linesPerReplica(AUTH, introspections);
    for (const [index, count] of gatewaysAfter.entries())
      expect(count).toBeGreaterThan(gatewaysBefore[index] ?? 0);
    for (const [index, count] of authAfter.entries()) expect(count).toBeGreaterThan(authBefore[index] ?? 0);
  });
});
