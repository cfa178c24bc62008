// Issue 11, finding 7, on the real auth, orders and payments behind the real gateway: the attack run took the
// payments token orders obtained to pay one order and replayed it straight at payments, charging another order,
// 1 cent and an order that does not exist (201 each); the owner's real payment then failed for good. Here the
// test plays orders (its workload key, alice's token as the gateway hands it over) and replays the same way.
// The binding call (orders -> payments) comes from the topology.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology, edgeService, type BoundOperation } from '@airlock/topology';
import { call, fieldOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

const edge = edgeService(airlockTopology).name;
const bound = airlockTopology.calls.find((spec) => spec.bindsOperation !== undefined);
if (bound?.bindsOperation === undefined) throw new Error('the topology binds no operation');
const { bindsOperation: binding } = bound;
const chargeRoute = bound.routes.find((route) => route.operation === 'charge');
if (chargeRoute === undefined) throw new Error('no charge route');

let e2e: E2eStack;
let alice: string;
let orderA: { id: string; total: number; currency: string };
let orderB: { id: string; total: number; currency: string };

async function newOrder(sku: string): Promise<{ id: string; total: number; currency: string }> {
  const created = await call(`${e2e.edgeUrl}/api/orders`, alice, {
    method: 'POST',
    body: { items: [{ sku, quantity: 1 }] },
  });
  expect(created.status).toBe(201);
  return {
    id: String(fieldOf(created.body, 'id')),
    total: Number(fieldOf(created.body, 'total')),
    currency: String(fieldOf(created.body, 'currency')),
  };
}

/** The orders token the gateway hands over when alice asks to pay `orderId` (it carries that intent). */
async function ordersTokenAskingToPay(orderId: string): Promise<string> {
  const intents = airlockTopology.calls.find((spec) => spec.from === edge && spec.to === bound?.from);
  const type = intents?.conveysIntent?.detailsType ?? '';
  return accessToken(
    await e2e.exchangeAs(edge, alice, bound?.from ?? '', {
      authorizationDetails: [{ type, actions: ['charge'], identifier: orderId }],
    }),
  );
}

/** What orders does to pay order A: alice's orders token traded for a payments token bound to that charge. */
async function tokenToPayOrderA(): Promise<string> {
  const ordersJwt = await ordersTokenAskingToPay(orderA.id);
  const detail: BoundOperation = {
    type: binding.detailsType,
    actions: ['charge'],
    identifier: orderA.id,
    amount: orderA.total,
    currency: orderA.currency,
  };
  return accessToken(
    await e2e.exchangeAs(bound?.from ?? '', ordersJwt, bound?.to ?? '', {
      scope: 'orders',
      authorizationDetails: [{ ...detail }],
    }),
  );
}

async function accessToken(response: Response): Promise<string> {
  const body: unknown = await response.json();
  const token = fieldOf(body, 'access_token');
  if (response.status !== 200 || typeof token !== 'string') {
    throw new Error(`exchange failed: ${String(response.status)} ${JSON.stringify(body)}`);
  }
  return token;
}

/** A charge sent straight to payments, as a compromised orders would. */
function chargeAtPayments(token: string, terms: { orderId: string; amount: number; currency: string }) {
  return call(`${e2e.urlOf(bound?.to ?? '')}${chargeRoute?.path ?? ''}`, token, {
    method: 'POST',
    headers: { 'idempotency-key': `replay-${randomUUID()}` },
    body: { ...terms, paymentMethod: 'pm_fake_visa' },
  });
}

beforeAll(async () => {
  e2e = await startE2eStack();
  alice = await e2e.signIn('alice');
  const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
  const sku = String(fieldOf((catalog.body as unknown[])[0], 'sku'));
  orderA = await newOrder(sku);
  orderB = await newOrder(sku);
});
afterAll(async () => {
  await e2e.close();
});

describe("orders holding a user's token obtains a payments token only for what the user asked (blast radius)", () => {
  /** orders asking auth for a payments token to charge `order`, with `ordersJwt` as its subject. */
  async function askForCharge(ordersJwt: string, order: typeof orderA): Promise<number> {
    const detail: BoundOperation = {
      type: binding.detailsType,
      actions: ['charge'],
      identifier: order.id,
      amount: order.total,
      currency: order.currency,
    };
    const answer = await e2e.exchangeAs(bound?.from ?? '', ordersJwt, bound?.to ?? '', {
      scope: 'orders',
      authorizationDetails: [{ ...detail }],
    });
    return answer.status;
  }

  it("cannot get one with the user's ordinary orders token (the one every GET /orders carries)", async () => {
    const plain = await accessToken(await e2e.exchangeAs(edge, alice, bound.from));
    expect(await askForCharge(plain, orderA)).toBe(400);
  });

  it('cannot get one for another order than the user asked to pay, nor twice for the same ask', async () => {
    const askedForA = await ordersTokenAskingToPay(orderA.id);
    expect(await askForCharge(askedForA, orderB)).toBe(400);
    expect(await askForCharge(askedForA, orderA)).toBe(200);
    expect(await askForCharge(askedForA, orderA)).toBe(400);
  });
});

describe('a payments token replayed at payments', () => {
  it(`lives ${String(binding.tokenLifetimeSeconds)} s, not minutes`, async () => {
    const token = await tokenToPayOrderA();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp: number;
      iat: number;
    };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(binding.tokenLifetimeSeconds);
  });

  it.each([
    [
      'another order of the same user',
      () => ({ orderId: orderB.id, amount: orderB.total, currency: orderB.currency }),
    ],
    ['the same order for 1 cent', () => ({ orderId: orderA.id, amount: 1, currency: orderA.currency })],
    ['an order that does not exist', () => ({ orderId: randomUUID(), amount: 1, currency: orderA.currency })],
  ])('is refused for %s (403 operation_mismatch)', async (_case, terms) => {
    const answer = await chargeAtPayments(await tokenToPayOrderA(), terms());
    expect({ status: answer.status, code: fieldOf(fieldOf(answer.body, 'error'), 'code') }).toEqual({
      status: 403,
      code: 'operation_mismatch',
    });
  });

  it('is refused the second time it is used, even for exactly its own charge (403 token_already_used)', async () => {
    const token = await tokenToPayOrderA();
    const terms = { orderId: orderA.id, amount: orderA.total, currency: orderA.currency };
    expect((await chargeAtPayments(token, terms)).status).toBe(201);
    const again = await chargeAtPayments(token, terms);
    expect({ status: again.status, code: fieldOf(fieldOf(again.body, 'error'), 'code') }).toEqual({
      status: 403,
      code: 'token_already_used',
    });
  });

  it("leaves the owner's real payments working afterwards", async () => {
    for (const order of [orderA, orderB]) {
      const paid = await call(`${e2e.edgeUrl}/api/orders/${order.id}/pay`, alice, {
        method: 'POST',
        headers: { 'idempotency-key': `owner-${randomUUID()}` },
      });
      expect({ status: paid.status, state: fieldOf(paid.body, 'status') }).toEqual({
        status: 200,
        state: 'paid',
      });
    }
  });
});
