// What processes read of the topology: variable names, local origins, upstreams, the JWKS provider and the
// start order.
import { describe, expect, it } from '@jest/globals';

import { airlockTopology } from '../src/airlock-topology.js';
import { defineTopology } from '../src/define-topology.js';
import {
  edgePrefixOf,
  hostVariableOf,
  issuerServiceOf,
  jwksProviderOf,
  localIssuerOf,
  portVariableOf,
  startOrderOf,
  upstreamsOf,
  urlVariableOf,
} from '../src/service-addresses.js';
import { validSpec } from './spec-fixture.js';

const names = (services: readonly { name: string }[]): string[] => services.map((service) => service.name);

describe('variable names', () => {
  it('derive from the service name, dashes as underscores', () => {
    expect(portVariableOf('image-processor')).toBe('AIRLOCK_IMAGE_PROCESSOR_PORT');
    expect(hostVariableOf('orders')).toBe('AIRLOCK_ORDERS_HOST');
    expect(urlVariableOf('auth')).toBe('AIRLOCK_AUTH_URL');
  });
});

describe('Airlock’s topology, as processes see it', () => {
  it('names auth as the issuer, reached at the edge under /auth', () => {
    expect(issuerServiceOf(airlockTopology).name).toBe('auth');
    expect(edgePrefixOf(airlockTopology, 'auth')).toBe('/auth');
    expect(localIssuerOf(airlockTopology)).toBe('http://127.0.0.1:8080/auth');
    expect(localIssuerOf(airlockTopology, 9000)).toBe('http://127.0.0.1:9000/auth');
  });

  it('gives each service the callees of its calls, once each', () => {
    expect(names(upstreamsOf(airlockTopology, 'orders')).sort()).toEqual(['auth', 'payments']);
    expect(names(upstreamsOf(airlockTopology, 'image-processor'))).toEqual(['gateway']);
    expect(names(upstreamsOf(airlockTopology, 'auth'))).toEqual([]);
  });

  it('sends the sandbox to the gateway for signing keys and the others to auth', () => {
    expect(jwksProviderOf(airlockTopology, 'image-processor')?.name).toBe('gateway');
    expect(jwksProviderOf(airlockTopology, 'payments')?.name).toBe('auth');
    expect(jwksProviderOf(airlockTopology, 'auth')).toBeUndefined();
  });

  it('starts every service after the services it calls, and the edge last', () => {
    const order = names(startOrderOf(airlockTopology));
    expect(new Set(order)).toEqual(new Set(names(airlockTopology.services)));
    expect(order.at(-1)).toBe('gateway');
    for (const call of airlockTopology.calls) {
      if (call.to === 'gateway') continue;
      expect({
        call: `${call.from}->${call.to}`,
        after: order.indexOf(call.from) > order.indexOf(call.to),
      }).toEqual({ call: `${call.from}->${call.to}`, after: true });
    }
  });
});

describe('startOrderOf', () => {
  it('refuses calls that form a cycle', () => {
    const spec = validSpec();
    const cyclic = defineTopology({
      ...spec,
      services: [
        ...spec.services,
        { name: 'api2', port: 8004, zones: ['core'], purpose: 'more', holds: 'data' },
      ],
      calls: [
        ...spec.calls,
        { from: 'api', to: 'api2', as: 'user', why: 'on', routes: [{ method: 'GET', path: '/on' }] },
        { from: 'api2', to: 'api', as: 'user', why: 'back', routes: [{ method: 'GET', path: '/back' }] },
      ],
    });
    expect(() => startOrderOf(cyclic)).toThrow(expect.objectContaining({ code: 'call_cycle' }));
  });
});
