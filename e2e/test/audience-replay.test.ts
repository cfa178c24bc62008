// One audience per token: a JWT minted for one service is refused by every other service, called directly
// on its loopback port as a compromised peer would. Each token is first shown to work where it belongs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { photo } from '@airlock/testing/images';
import { call, fieldOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

let e2e: E2eStack;
const tokens = new Map<string, string>();

/** One protected route per service, called the way its legitimate caller calls it. */
const probes: Record<string, (token: string) => Promise<number>> = {
  orders: async (token) => (await call(`${e2e.urls.orders}/orders`, token)).status,
  payments: async (token) =>
    (
      await call(`${e2e.urls.payments}/charges`, token, {
        method: 'POST',
        headers: { 'idempotency-key': `e2e-replay-${String(Date.now())}` },
        body: {
          orderId: '00000000-0000-4000-8000-000000000000',
          amount: 100,
          currency: 'EUR',
          paymentMethod: 'pm_fake',
        },
      })
    ).status,
  'image-processor': async (token) =>
    (
      await call(`${e2e.urls['image-processor']}/images`, token, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: await photo('png'),
      })
    ).status,
};

async function accessToken(response: Response): Promise<string> {
  const body = await response.json();
  const token = fieldOf(body, 'access_token');
  if (response.status !== 200 || typeof token !== 'string')
    throw new Error(`exchange failed: ${String(response.status)}`);
  return token;
}

beforeAll(async () => {
  e2e = await startE2eStack();
  const alice = await e2e.signIn('alice');
  tokens.set('orders', await accessToken(await e2e.exchangeAs('gateway', alice, 'orders')));
  tokens.set('image-processor', await accessToken(await e2e.exchangeAs('gateway', alice, 'image-processor')));
  tokens.set(
    'payments',
    await accessToken(await e2e.exchangeAs('orders', tokens.get('orders') ?? '', 'payments', 'orders')),
  );
});
afterAll(async () => {
  await e2e.close();
});

const services = Object.keys(probes);
const pairs = services.flatMap((audience) =>
  services.filter((target) => target !== audience).map((target) => [audience, target]),
);

describe('audience replay between services', () => {
  it.each(services)('a token for %s works at %s itself', async (audience) => {
    const status = await (probes[audience] ?? (() => Promise.reject(new Error('no probe'))))(
      tokens.get(audience) ?? '',
    );
    expect(status).not.toBe(401);
    expect(status).not.toBe(403);
  });

  it.each(pairs)('a token for %s is refused by %s with 401', async (audience, target) => {
    const status = await (probes[target] ?? (() => Promise.reject(new Error('no probe'))))(
      tokens.get(audience) ?? '',
    );
    expect(status).toBe(401);
  });

  it('refuses the opaque client token at every service', async () => {
    const alice = await e2e.signIn('alice');
    for (const probe of Object.values(probes)) expect(await probe(alice)).toBe(401);
  });
});
