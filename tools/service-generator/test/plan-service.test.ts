// The generator's checks, fast and without writing anything: every bad answer is refused with its code, and the
// plans for each kind of zone are ones the topology accepts, with exactly the allowances the service needs.
import { describe, expect, it } from '@jest/globals';
import {
  airlockTopology,
  callersOfRoute,
  edgeService,
  jwksProviderOf,
  networksOf,
  serviceNamed,
} from '@airlock/topology';

import { answersFrom, parseAnswers } from '../src/answers.js';
import type { ServiceAnswers } from '../src/answers.js';
import { GeneratorError } from '../src/generator-error.js';
import { planService } from '../src/plan-service.js';
import { EXAMPLES } from './support/example-answers.js';

const inventory: ServiceAnswers = EXAMPLES.inventory;

function refusal(answers: Partial<ServiceAnswers>, takenFolders: string[] = []): string {
  try {
    planService(airlockTopology, { ...inventory, ...answers }, takenFolders);
  } catch (error) {
    if (error instanceof GeneratorError) return error.code;
    throw error;
  }
  throw new Error('the answers were accepted');
}

describe('refusals', () => {
  it.each([
    ['an upper-case name', { name: 'Inventory' }, 'invalid_name'],
    ['a name with an underscore', { name: 'stock_levels' }, 'invalid_name'],
    ['a name ending in a hyphen', { name: 'stock-' }, 'invalid_name'],
    ['a name starting with a digit', { name: '9lives' }, 'invalid_name'],
    ['a name longer than 31 characters', { name: 'a'.repeat(32) }, 'invalid_name'],
    ['a taken name', { name: 'orders' }, 'name_taken'],
    ['a port below 1024', { port: 80 }, 'invalid_port'],
    ['a port above 65535', { port: 70000 }, 'invalid_port'],
    ['a port that is not a number', { port: Number.NaN }, 'invalid_port'],
    ['a taken port', { port: serviceNamed(airlockTopology, 'orders').port }, 'port_taken'],
    ['an unknown zone', { zone: 'nowhere' }, 'unknown_zone'],
    ['the edge zone', { zone: 'edge' }, 'unknown_zone'],
    ['a new zone that exists', { zone: 'core', newZone: 'enclave' as const }, 'zone_taken'],
    ['an unknown caller', { calledBy: ['gateway', 'mallory'] }, 'unknown_caller'],
    ['an edge prefix without the gateway among the callers', { calledBy: ['orders'] }, 'unknown_caller'],
    ['an edge prefix that is not a path', { edgePrefix: 'api/inventory' }, 'invalid_edge_prefix'],
    ['an edge prefix with upper case', { edgePrefix: '/api/Inventory' }, 'invalid_edge_prefix'],
    ['a taken edge prefix', { edgePrefix: '/api/orders' }, 'edge_prefix_taken'],
    ['an edge prefix under a taken one', { edgePrefix: '/api/orders/stock' }, 'edge_prefix_taken'],
    ['an edge prefix above a taken one', { edgePrefix: '/api' }, 'edge_prefix_taken'],
  ])('refuses %s', (_name, answers, code) => {
    expect(refusal(answers)).toBe(code);
  });

  it('refuses a name whose folder exists under apps/', () => {
    expect(refusal({}, ['inventory'])).toBe('name_taken');
  });

  it('refuses what only the whole topology can judge: a sandboxed caller reaching out of its sandbox', () => {
    const sandboxed = airlockTopology.services.find(
      (service) =>
        service.name !== edgeService(airlockTopology).name &&
        service.zones.some((zone) => airlockTopology.zones.find((z) => z.name === zone)?.kind === 'sandbox'),
    );
    expect(refusal({ calledBy: [...inventory.calledBy, sandboxed?.name ?? 'none'] })).toBe(
      'topology_invalid',
    );
  });

  it('names the bad answer in the message', () => {
    expect(() => planService(airlockTopology, { ...inventory, port: 8082 })).toThrow(/8082.*orders/);
  });
});

describe('answers from flags', () => {
  it('reads every flag, in either spelling', () => {
    expect(
      parseAnswers([
        '--name',
        'inventory',
        '--zone=core',
        '--port',
        '8085',
        '--edge-prefix',
        '/api/inventory',
        '--called-by',
        'alpha, beta',
      ]),
    ).toEqual({ ...inventory, calledBy: ['alpha', 'beta'] });
  });

  it.each([
    [['--name', 'x', '--zone', 'core'], 'missing_answer'],
    [['--name', 'x', '--zone', 'core', '--port', '80a'], 'invalid_port'],
    [['--name', 'x', '--zone', 'core', '--port', '9000', '--colour', 'red'], 'missing_answer'],
    [['--name', 'x', '--name', 'y', '--zone', 'core', '--port', '9000'], 'missing_answer'],
    [['--name', 'x', '--zone', 'v', '--new-zone', 'dmz', '--port', '9000'], 'invalid_zone_kind'],
  ])('refuses %j with %s', (argv, code) => {
    let caught: unknown;
    try {
      const answers = parseAnswers(argv);
      planService(airlockTopology, answers);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GeneratorError);
    expect((caught as GeneratorError).code).toBe(code);
  });

  it('treats empty answers (an empty prompt) as none', () => {
    const answers = answersFrom(
      (flag) =>
        ({ name: 'inventory', zone: 'core', port: '8085', 'called-by': 'gateway' })[flag as string] ?? '',
    );
    expect(answers).toEqual({ name: 'inventory', zone: 'core', port: 8085, calledBy: ['gateway'] });
  });
});

describe('plans', () => {
  it('inventory in core: called by the gateway, admitted into the issuer’s enclave for the keys only', () => {
    const plan = planService(airlockTopology, inventory);
    expect(plan.service).toMatchObject({ name: 'inventory', port: 8085, zones: ['core'] });
    expect(plan.admissions).toEqual([{ zone: 'identity', service: 'inventory' }]);
    expect(plan.edgeRoute).toEqual({
      prefix: '/api/inventory',
      to: 'inventory',
      upstreamPrefix: '/inventory',
      as: 'user',
    });
    expect(callersOfRoute(plan.topology, 'inventory', 'GET', '/inventory')).toEqual(['gateway']);
    expect(jwksProviderOf(plan.topology, 'inventory')?.name).toBe('auth');
    expect(
      networksOf(plan.topology)
        .filter((network) => network.members.includes('inventory'))
        .map((network) => network.name),
    ).toEqual(['core', 'identity-inventory']);
  });

  it('a new sandbox: the gateway joins it, the keys come through the gateway, nothing else is reachable', () => {
    const plan = planService(airlockTopology, EXAMPLES.scanner);
    expect(plan.newZone).toMatchObject({ name: 'scanning', kind: 'sandbox' });
    expect(plan.joins).toEqual([{ service: 'gateway', zone: 'scanning' }]);
    expect(plan.admissions).toEqual([]);
    expect(jwksProviderOf(plan.topology, 'scanner')?.name).toBe('gateway');
  });

  it('a new enclave called by orders: orders is admitted, clients cannot reach it', () => {
    const plan = planService(airlockTopology, EXAMPLES.ledger);
    expect(plan.edgeRoute).toBeUndefined();
    expect(plan.topology.zones.find((zone) => zone.name === 'ledger')?.admits).toEqual(['orders']);
    expect(plan.admissions).toContainEqual({ zone: 'identity', service: 'ledger' });
    expect(callersOfRoute(plan.topology, 'ledger', 'GET', '/ledger')).toEqual(['orders']);
  });

  it('an existing enclave: its new callers are admitted', () => {
    const plan = planService(airlockTopology, {
      name: 'vault',
      zone: 'payments',
      port: 8092,
      calledBy: ['orders'],
    });
    expect(plan.admissions).toEqual([{ zone: 'identity', service: 'vault' }]);
    const withGateway = planService(airlockTopology, {
      name: 'vault',
      zone: 'payments',
      port: 8092,
      calledBy: ['gateway'],
    });
    expect(withGateway.admissions).toContainEqual({ zone: 'payments', service: 'gateway' });
  });

  it('needs --called-by when clients do not reach it', () => {
    expect(() =>
      planService(airlockTopology, { name: 'quiet', zone: 'core', port: 8093, calledBy: [] }),
    ).toThrow(GeneratorError);
  });
});
