// The properties the brief promises, asserted on Airlock's own topology rather than on a fixture.
import { describe, expect, it } from '@jest/globals';
import { airlockTopology } from '../src/airlock-topology.js';
import { allowedCallsTo, callersOfRoute } from '../src/callers.js';
import { networksOf, reachabilityOf } from '../src/networks.js';
import { tokenExchangeRules } from '../src/token-exchange-policy.js';
import { scopesOfAudience } from '../src/audience-scopes.js';

const reach = reachabilityOf(airlockTopology);

describe('Airlock topology', () => {
  it('gives each audience only the scopes its routes require (issue 11, finding 8)', () => {
    expect(scopesOfAudience(airlockTopology, 'orders')).toEqual(['orders', 'admin']);
    expect(scopesOfAudience(airlockTopology, 'image-processor')).toEqual(['images']);
    expect(scopesOfAudience(airlockTopology, 'payments')).toEqual(['orders', 'admin']);
    expect(scopesOfAudience(airlockTopology, 'auth')).toEqual([]);
    for (const rule of tokenExchangeRules(airlockTopology)) {
      expect(rule.scopes).toEqual(scopesOfAudience(airlockTopology, rule.audience));
    }
  });

  it('publishes only the gateway: the edge network holds the gateway alone and is the only non-internal one', () => {
    const networks = networksOf(airlockTopology);
    expect(networks.filter((network) => !network.internal)).toEqual([
      { name: 'edge', zone: 'edge', internal: false, members: ['gateway'] },
    ]);
  });

  it('lets the sandboxed image-processor reach the gateway and nothing else', () => {
    expect([...(reach.get('image-processor') ?? [])]).toEqual(['gateway']);
  });

  it('lets only orders and auth share a network with payments, and never the gateway', () => {
    const peersOfPayments = [...reach.entries()]
      .filter(([, peers]) => peers.has('payments'))
      .map(([service]) => service)
      .sort();
    // payments reaches auth for its JWKS over a network of their own, so auth can open connections to payments
    // too (networks are symmetric); the token layer refuses every caller but orders.
    expect(peersOfPayments).toEqual(['auth', 'orders']);
    expect(new Set(allowedCallsTo(airlockTopology, 'payments').map((call) => call.caller))).toEqual(
      new Set(['orders']),
    );
  });

  it('gives each admission its own network, so services admitted into one enclave stay apart', () => {
    expect(
      networksOf(airlockTopology).map((network) => `${network.name}: ${network.members.join(' ')}`),
    ).toEqual([
      'edge: gateway',
      'edge-web: gateway web',
      'core: gateway orders',
      'sandbox: gateway image-processor',
      'identity: auth',
      'identity-gateway: auth gateway',
      'identity-orders: auth orders',
      'identity-payments: auth payments',
      'payments: payments',
      'payments-orders: payments orders',
    ]);
    expect(reach.get('gateway')).toEqual(new Set(['web', 'orders', 'image-processor', 'auth']));
  });

  it('makes every declared call reachable over some network', () => {
    for (const call of airlockTopology.calls) {
      expect(reach.get(call.from)?.has(call.to)).toBe(true);
    }
  });

  it('allows only the gateway to call orders and image-processor', () => {
    expect(callersOfRoute(airlockTopology, 'orders', 'GET', '/orders/:id')).toEqual(['gateway']);
    expect(callersOfRoute(airlockTopology, 'image-processor', 'POST', '/images')).toEqual(['gateway']);
    expect(callersOfRoute(airlockTopology, 'payments', 'POST', '/charges')).toEqual(['orders']);
    expect(callersOfRoute(airlockTopology, 'payments', 'GET', '/charges')).toEqual([]);
  });

  it('keeps introspection off the public gateway-to-auth call', () => {
    const publicAuthRoutes = allowedCallsTo(airlockTopology, 'auth')
      .filter((call) => call.caller === 'gateway' && call.as === 'public')
      .map((call) => call.path);
    expect(publicAuthRoutes).not.toContain('/auth/token/introspection');
  });

  it('derives the token-exchange policy from the user calls', () => {
    expect(tokenExchangeRules(airlockTopology)).toEqual([
      {
        requester: 'gateway',
        subjectToken: 'client_access_token',
        audience: 'orders',
        scopes: ['orders', 'admin'],
        // The gateway may ask for a token carrying the user's intent, on the two routes that convey one.
        intents: {
          detailsType: 'airlock_intent',
          lifetimeSeconds: 30,
          actions: { charge: ['orders'], refund: ['orders', 'admin'] },
        },
      },
      {
        requester: 'gateway',
        subjectToken: 'client_access_token',
        audience: 'image-processor',
        scopes: ['images'],
      },
      {
        requester: 'orders',
        subjectToken: 'service_access_token',
        subjectAudience: 'orders',
        audience: 'payments',
        scopes: ['orders', 'admin'],
        binding: {
          detailsType: 'airlock_payment',
          lifetimeSeconds: 30,
          operations: ['charge', 'refund'],
          operationScopes: { charge: ['orders'], refund: ['admin'] },
          // Each redeemed only against the user's intent of the same name on the same order.
          intentType: 'airlock_intent',
        },
      },
    ]);
  });
});
