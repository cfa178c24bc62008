// The document describes exactly the edge: every route the gateway's table reaches has an operation, and no
// operation exists without a route; the committed file is the one the sources build.
import { describe, expect, it } from '@jest/globals';
import { REFUSALS } from '@airlock/gateway/refusals';
import { buildRouteTable } from '@airlock/gateway/route-table';
import type { ServiceContracts } from '@airlock/service-kit/api-contract';
import { airlockTopology } from '@airlock/topology';

import { buildOpenApiDocument, openApiPath, OpenApiError, readCommittedDocument } from '../src/index.js';
import { serviceContracts } from '../src/service-contracts.js';

const document = buildOpenApiDocument();
const operationsOf = (doc: typeof document): string[] =>
  Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
const edgeRoutes = buildRouteTable(airlockTopology)
  .edges.flatMap((edge) => edge.routes.map((route) => route.label))
  .map((label) => {
    const [method = '', path = ''] = label.split(' ');
    return `${method} ${openApiPath(path)}`;
  })
  .sort();

function codeOf(build: () => unknown): string | undefined {
  try {
    build();
  } catch (error) {
    if (error instanceof OpenApiError) return error.code;
    throw error;
  }
  return undefined;
}

describe('the OpenAPI document', () => {
  it('describes, on every API operation, each status the gateway’s refusal table can answer on a route', () => {
    // 404 and 405 answer a path or method that has no operation; 499 is never sent (the client is gone).
    const noOperation = new Set([404, 405, 499]);
    const statuses = [...new Set(Object.values(REFUSALS).map((answer) => answer.status))]
      .filter((status) => !noOperation.has(status))
      .sort();
    expect(statuses).toEqual(expect.arrayContaining([401, 408, 429, 503]));
    const apiOperations = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/'));
    expect(apiOperations.length).toBeGreaterThan(5);
    for (const [path, item] of apiOperations) {
      for (const [method, operation] of Object.entries(item)) {
        const described = Object.keys(operation['responses'] as Record<string, unknown>).map(Number);
        expect({
          operation: `${method} ${path}`,
          missing: statuses.filter((s) => !described.includes(s)),
        }).toEqual({
          operation: `${method} ${path}`,
          missing: [],
        });
      }
    }
  });

  it('has one operation per edge route of the topology, and none other', () => {
    expect(operationsOf(document)).toEqual(edgeRoutes);
    // The routes the brief names, spelled out so that an empty table cannot pass.
    expect(edgeRoutes).toEqual(
      expect.arrayContaining([
        'GET /api/orders/{id}',
        'POST /api/images',
        'POST /bff/api/orders/{id}/pay',
        'GET /bff/session',
        'GET /openapi.json',
        'GET /auth/.well-known/openid-configuration',
      ]),
    );
  });

  it('is OpenAPI 3.1 with the bearer, cookie and OIDC schemes, and the CSRF header on BFF changes', () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const pay = document.paths['/bff/api/orders/{id}/pay']?.['post'] as Record<string, unknown>;
    expect(pay['security']).toEqual([{ session: [] }]);
    expect(pay['parameters']).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'x-csrf', in: 'header', required: true })]),
    );
    const api = document.paths['/api/orders/{id}/pay']?.['post'] as Record<string, unknown>;
    expect(api['security']).toEqual([{ bearer: [] }]);
    expect(Object.keys(api['responses'] as object)).toEqual(expect.arrayContaining(['200', '401', '409']));
  });

  it('is the committed file (run `pnpm generate` when this fails)', () => {
    expect(readCommittedDocument()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('refuses an edge route without a contract, and a contract without an edge route', () => {
    const withoutPay: ServiceContracts[] = serviceContracts.map((entry) => ({
      service: entry.service,
      routes: entry.routes.filter((route) => route.path !== '/orders/:id/pay'),
    }));
    expect(codeOf(() => buildOpenApiDocument(airlockTopology, withoutPay))).toBe('route_undescribed');
    const [first, ...rest] = serviceContracts;
    if (first === undefined) throw new Error('no contracts');
    const extra: ServiceContracts = {
      service: first.service,
      routes: [
        ...first.routes,
        { method: 'GET', path: '/internal/debug', summary: 'x', responses: {}, errors: {} },
      ],
    };
    expect(codeOf(() => buildOpenApiDocument(airlockTopology, [extra, ...rest]))).toBe(
      'contract_without_route',
    );
  });
});
