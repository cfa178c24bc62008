// A small valid topology that tests change one thing at a time.
import type { TopologySpec } from '../src/model.js';

export function validSpec(): TopologySpec {
  return {
    zones: [
      { name: 'edge', kind: 'edge', purpose: 'entry' },
      { name: 'core', kind: 'trusted', purpose: 'business' },
      { name: 'box', kind: 'sandbox', purpose: 'risky' },
      { name: 'vault', kind: 'enclave', purpose: 'sensitive', admits: ['api'] },
    ],
    services: [
      { name: 'gw', port: 8000, zones: ['edge', 'core', 'box'], purpose: 'entry', holds: 'data' },
      { name: 'api', port: 8001, zones: ['core'], purpose: 'business', holds: 'data' },
      { name: 'risky', port: 8002, zones: ['box'], purpose: 'risky', holds: 'data' },
      { name: 'safe', port: 8003, zones: ['vault'], purpose: 'sensitive', holds: 'data' },
    ],
    calls: [
      { from: 'gw', to: 'api', as: 'user', why: 'forward', routes: [{ method: 'GET', path: '/things/:id' }] },
      { from: 'gw', to: 'risky', as: 'user', why: 'forward', routes: [{ method: 'POST', path: '/work' }] },
      { from: 'api', to: 'safe', as: 'user', why: 'delegate', routes: [{ method: 'POST', path: '/vault' }] },
    ],
    edgeRoutes: [
      { prefix: '/api/things', to: 'api', upstreamPrefix: '/things', as: 'user' },
      { prefix: '/api/work', to: 'risky', upstreamPrefix: '/work', as: 'user' },
    ],
  };
}
