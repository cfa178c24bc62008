import { describe, expect, it } from '@jest/globals';
import { defineTopology } from '../src/define-topology.js';
import { edgeFrontEndsOf, edgeService } from '../src/lookup.js';
import { networksOf } from '../src/networks.js';
import { tokenExchangeRules } from '../src/token-exchange-policy.js';
import type { TopologySpec } from '../src/model.js';
import { TopologyError, type TopologyErrorCode } from '../src/topology-error.js';
import { validSpec } from './spec-fixture.js';

function expectCode(spec: TopologySpec, code: TopologyErrorCode): void {
  let caught: unknown;
  try {
    defineTopology(spec);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TopologyError);
  expect((caught as TopologyError).code).toBe(code);
}

describe('defineTopology', () => {
  it('accepts a valid topology', () => {
    expect(defineTopology(validSpec()).validated).toBe(true);
  });

  it('rejects a call that names an unknown service', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        calls: [
          ...spec.calls,
          { from: 'gw', to: 'ghost', as: 'user', why: '', routes: [{ method: 'GET', path: '/' }] },
        ],
      },
      'unknown_service',
    );
  });

  it('rejects a call into the sandbox from a service the sandbox does not admit', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        calls: [
          ...spec.calls,
          { from: 'api', to: 'risky', as: 'user', why: '', routes: [{ method: 'POST', path: '/work' }] },
        ],
      },
      'call_into_zone_not_admitted',
    );
  });

  it('rejects a call out of the sandbox', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        calls: [
          ...spec.calls,
          {
            from: 'risky',
            to: 'api',
            as: 'service',
            why: '',
            routes: [{ method: 'GET', path: '/things/:id' }],
          },
        ],
      },
      'call_out_of_sandbox',
    );
  });

  it('rejects a call into an enclave from a service it does not admit', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        calls: [
          ...spec.calls,
          { from: 'gw', to: 'safe', as: 'user', why: '', routes: [{ method: 'POST', path: '/vault' }] },
        ],
      },
      'call_into_zone_not_admitted',
    );
  });

  it('rejects a service in two enclaves', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        zones: [...spec.zones, { name: 'vault2', kind: 'enclave', purpose: 'second' }],
        services: spec.services.map((service) =>
          service.name === 'safe' ? { ...service, zones: ['vault', 'vault2'] } : service,
        ),
      },
      'multiple_enclaves',
    );
  });

  it('rejects a service in an enclave and a sandbox at once', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'safe' ? { ...service, zones: ['vault', 'box'] } : service,
        ),
      },
      'multiple_enclaves',
    );
  });

  it('lets the edge service bridge into a second sandbox, and nothing else into two', () => {
    const spec = validSpec();
    const twoSandboxes = {
      ...spec,
      zones: [...spec.zones, { name: 'box2', kind: 'sandbox' as const, purpose: 'risky too' }],
      services: [
        ...spec.services.map((service) =>
          service.name === 'gw' ? { ...service, zones: [...service.zones, 'box2'] } : service,
        ),
        { name: 'risky2', port: 8004, zones: ['box2'], purpose: 'risky', holds: 'data' },
      ],
    };
    expect(defineTopology(twoSandboxes).services).toHaveLength(5);
    expectCode(
      {
        ...twoSandboxes,
        services: twoSandboxes.services.map((service) =>
          service.name === 'api' ? { ...service, zones: ['core', 'box', 'box2'] } : service,
        ),
      },
      'multiple_enclaves',
    );
  });

  it('rejects a sandboxed service that also lives in another zone', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'risky' ? { ...service, zones: ['box', 'core'] } : service,
        ),
      },
      'sandbox_not_isolated',
    );
  });

  it('rejects a zone named like the network of an admission', () => {
    const spec = validSpec();
    expectCode(
      { ...spec, zones: [...spec.zones, { name: 'vault-api', kind: 'trusted', purpose: 'clash' }] },
      'duplicate_zone',
    );
  });

  it('rejects a duplicate port', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'api' ? { ...service, port: 8000 } : service,
        ),
      },
      'duplicate_port',
    );
  });

  it('rejects an out-of-range port', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'api' ? { ...service, port: 70000 } : service,
        ),
      },
      'invalid_port',
    );
  });

  it('rejects duplicate zones and services', () => {
    const spec = validSpec();
    expectCode(
      { ...spec, zones: [...spec.zones, { name: 'core', kind: 'trusted', purpose: 'again' }] },
      'duplicate_zone',
    );
    const [first] = spec.services;
    if (first === undefined) throw new Error('fixture has services');
    expectCode({ ...spec, services: [...spec.services, { ...first, port: 9999 }] }, 'duplicate_service');
  });

  it('rejects unknown zones, services without zones and unsafe names', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'api' ? { ...service, zones: ['nowhere'] } : service,
        ),
      },
      'unknown_zone',
    );
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'api' ? { ...service, zones: [] } : service,
        ),
      },
      'service_without_zone',
    );
    expectCode(
      { ...spec, zones: [...spec.zones, { name: 'Bad Zone', kind: 'trusted', purpose: '' }] },
      'invalid_name',
    );
  });

  it('requires exactly one edge zone holding exactly one service', () => {
    const spec = validSpec();
    expectCode(
      { ...spec, zones: [...spec.zones, { name: 'edge2', kind: 'edge', purpose: '' }] },
      'edge_zone_invalid',
    );
    expectCode(
      {
        ...spec,
        services: spec.services.map((service) =>
          service.name === 'api' ? { ...service, zones: ['edge', 'core'] } : service,
        ),
      },
      'edge_zone_invalid',
    );
  });

  it('rejects an admission that no call uses, and admissions into the edge', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        zones: spec.zones.map((zone) => (zone.name === 'vault' ? { ...zone, admits: ['api', 'gw'] } : zone)),
      },
      'admits_not_allowed',
    );
    expectCode(
      {
        ...spec,
        zones: spec.zones.map((zone) => (zone.name === 'edge' ? { ...zone, admits: ['api'] } : zone)),
      },
      'admits_not_allowed',
    );
  });

  it('rejects calls to self, calls without routes and malformed route paths', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        calls: [
          ...spec.calls,
          { from: 'api', to: 'api', as: 'service', why: '', routes: [{ method: 'GET', path: '/' }] },
        ],
      },
      'call_to_self',
    );
    expectCode(
      { ...spec, calls: [...spec.calls, { from: 'gw', to: 'api', as: 'service', why: '', routes: [] }] },
      'call_without_routes',
    );
    expectCode(
      {
        ...spec,
        calls: [
          ...spec.calls,
          { from: 'gw', to: 'api', as: 'service', why: '', routes: [{ method: 'GET', path: 'things/../x' }] },
        ],
      },
      'invalid_route',
    );
  });

  it('marks as uploads only routes that carry a body (not GET or DELETE)', () => {
    const spec = validSpec();
    const withUpload = (method: 'GET' | 'POST' | 'PUT' | 'DELETE') => ({
      ...spec,
      calls: [
        ...spec.calls,
        {
          from: 'gw',
          to: 'api',
          as: 'service' as const,
          why: '',
          routes: [{ method, path: '/x', upload: true as const }],
        },
      ],
    });
    expect(() => defineTopology(withUpload('POST'))).not.toThrow();
    expect(() => defineTopology(withUpload('PUT'))).not.toThrow();
    expectCode(withUpload('GET'), 'invalid_route');
    expectCode(withUpload('DELETE'), 'invalid_route');
  });

  it('accepts scopes on user routes only, well-formed and each once', () => {
    const spec = validSpec();
    const withScopes = (as: 'user' | 'service', scopes: string[]) => ({
      ...spec,
      calls: [
        ...spec.calls,
        { from: 'gw', to: 'api', as, why: '', routes: [{ method: 'POST' as const, path: '/x', scopes }] },
      ],
    });
    expect(() => defineTopology(withScopes('user', ['things', 'admin']))).not.toThrow();
    expectCode(withScopes('service', ['things']), 'invalid_route');
    expectCode(withScopes('user', ['things', 'things']), 'invalid_route');
    expectCode(withScopes('user', ['Things Admin']), 'invalid_route');
  });

  it('rejects edge routes that are malformed, duplicated or not backed by a declared call', () => {
    const spec = validSpec();
    expectCode(
      {
        ...spec,
        edgeRoutes: [
          ...spec.edgeRoutes,
          { prefix: '/api/things/', to: 'api', upstreamPrefix: '/things', as: 'user' },
        ],
      },
      'edge_route_invalid',
    );
    expectCode(
      {
        ...spec,
        edgeRoutes: [
          ...spec.edgeRoutes,
          { prefix: '/api/things', to: 'api', upstreamPrefix: '/things', as: 'user' },
        ],
      },
      'edge_route_invalid',
    );
    expectCode(
      {
        ...spec,
        edgeRoutes: [
          ...spec.edgeRoutes,
          { prefix: '/api/vault', to: 'safe', upstreamPrefix: '/vault', as: 'user' },
        ],
      },
      'edge_route_without_call',
    );
    expectCode(
      {
        ...spec,
        edgeRoutes: [
          ...spec.edgeRoutes,
          { prefix: '/api/x', to: 'api', upstreamPrefix: '/things', as: 'public' },
        ],
      },
      'edge_route_without_call',
    );
  });

  describe("users' intents and the operations redeemed against them (issue 11)", () => {
    /** gw -> api conveys `act` on /things/:id; api -> safe binds `act` on /vault. */
    function withIntent(
      overrides: {
        intentPath?: string;
        operation?: string;
        conveys?: boolean;
      } = {},
    ): TopologySpec {
      const spec = validSpec();
      return {
        ...spec,
        calls: spec.calls.map((call) => {
          if (call.from === 'gw' && call.to === 'api') {
            return {
              ...call,
              routes: [{ method: 'POST', path: overrides.intentPath ?? '/things/:id', intent: 'act' }],
              ...(overrides.conveys === false
                ? {}
                : { conveysIntent: { detailsType: 'app_intent', tokenLifetimeSeconds: 30 } }),
            };
          }
          if (call.from === 'api' && call.to === 'safe') {
            return {
              ...call,
              routes: [{ method: 'POST', path: '/vault', operation: overrides.operation ?? 'act' }],
              bindsOperation: { detailsType: 'app_op', tokenLifetimeSeconds: 30 },
            };
          }
          return call;
        }),
      };
    }

    it('accepts an operation redeemed against an intent the edge conveys to its caller', () => {
      const topology = defineTopology(withIntent());
      const rules = tokenExchangeRules(topology);
      expect(rules.find((rule) => rule.audience === 'api')?.intents).toEqual({
        detailsType: 'app_intent',
        lifetimeSeconds: 30,
        actions: { act: [] },
      });
      expect(rules.find((rule) => rule.audience === 'safe')?.binding?.intentType).toBe('app_intent');
    });

    it('rejects an operation no user intent stands for', () => {
      expectCode(withIntent({ operation: 'other' }), 'invalid_route');
    });

    it('rejects intents on a call that conveys none, or on a route without exactly one parameter', () => {
      expectCode(withIntent({ conveys: false }), 'invalid_route');
      expectCode(withIntent({ intentPath: '/things' }), 'invalid_route');
    });
  });

  describe('front ends beside the edge entry (a backend-for-frontend)', () => {
    const withFrontEnd = (): TopologySpec => {
      const spec = validSpec();
      return {
        ...spec,
        services: [
          ...spec.services,
          { name: 'shop', port: 8004, zones: ['edge'], purpose: 'bff', holds: 'x' },
        ],
        calls: [
          ...spec.calls,
          { from: 'gw', to: 'shop', as: 'public', why: 'serve', routes: [{ method: 'GET', path: '/' }] },
          {
            from: 'shop',
            to: 'gw',
            as: 'user',
            why: 'api',
            routes: [{ method: 'GET', path: '/api/things/:id' }],
          },
        ],
        edgeRoutes: [...spec.edgeRoutes, { prefix: '/', to: 'shop', upstreamPrefix: '/', as: 'public' }],
      };
    };

    it('accepts a front end that lives in the edge alone, reached at / and calling only the entry', () => {
      const topology = defineTopology(withFrontEnd());
      expect(edgeService(topology).name).toBe('gw');
      expect(edgeFrontEndsOf(topology).map((service) => service.name)).toEqual(['shop']);
      // Its network holds the entry alone and is internal; the published edge network still holds the entry only.
      expect(networksOf(topology).filter((network) => network.zone === 'edge')).toEqual([
        { name: 'edge', zone: 'edge', internal: false, members: ['gw'] },
        { name: 'edge-shop', zone: 'edge', admitted: 'shop', internal: true, members: ['gw', 'shop'] },
      ]);
      // The front end presents the client's opaque token; the entry resolves it, so no exchange rule for it.
      expect(tokenExchangeRules(topology).some((rule) => rule.requester === 'shop')).toBe(false);
    });

    it('refuses a front end calling anything but the entry', () => {
      const spec = withFrontEnd();
      expectCode(
        {
          ...spec,
          calls: [
            ...spec.calls,
            {
              from: 'shop',
              to: 'api',
              as: 'user',
              why: 'x',
              routes: [{ method: 'GET', path: '/things/:id' }],
            },
          ],
        },
        'call_into_zone_not_admitted',
      );
    });

    it('allows the root prefix only onto the root upstream', () => {
      const spec = withFrontEnd();
      expectCode(
        {
          ...spec,
          edgeRoutes: spec.edgeRoutes.map((route) =>
            route.prefix === '/' ? { ...route, upstreamPrefix: '/shop' } : route,
          ),
        },
        'edge_route_invalid',
      );
    });
  });
});
