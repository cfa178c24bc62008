// Builds the public API's OpenAPI 3.1 document from two sources and nothing written here: the gateway's route
// table (derived from the topology: which paths exist at the edge, and who may call them) and the contracts the
// services declare next to their zod schemas (what each route accepts and answers). The BFF's /bff/api/...
// routes answer what the gateway's /api/... route answers, plus the BFF's own refusals.
import { buildRouteTable } from '@airlock/gateway/route-table';
import type { EdgeRoute, RoutePattern } from '@airlock/gateway/route-table';
import { errorBodySchema } from '@airlock/service-kit/api-contract';
import type { RouteContract, ServiceContracts } from '@airlock/service-kit/api-contract';
import { airlockTopology, issuerServiceOf } from '@airlock/topology';
import type { Topology } from '@airlock/topology';
import {
  BFF_PREFIX,
  bffForwardErrors,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  SECURE_COOKIE_NAME,
} from '@airlock/web/api-contract';
import type { z } from 'zod';

import { SchemaComponents } from './json-schema.js';
import type { JsonSchema } from './json-schema.js';
import { OpenApiError } from './openapi-error.js';
import { serviceContracts } from './service-contracts.js';

export const OPENAPI_VERSION = '3.1.1';
const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };
const DISCOVERY_PATH = '/.well-known/openid-configuration';

// What the gateway itself may answer on a forwarded route, before or instead of the service (the refusal table
// in apps/gateway/src/pipeline/refusals.ts; a test checks that every status it can answer on a route is here);
// user routes add the token refusals.
const GATEWAY_ERRORS: Readonly<Record<number, string>> = {
  400: 'The gateway refused the request target, a body on GET or a malformed request.',
  408: 'The request did not arrive in time (the gateway’s request timeout).',
  403: 'A cross-origin call from an origin the gateway does not allow.',
  413: 'The body is larger than the gateway’s limit for this service.',
  414: 'The request target is too long.',
  429: 'Too many requests from this client; retry later.',
  431: 'The request headers are too large.',
  500: 'An unexpected error (no detail is given).',
  502: 'The service answered with an error the gateway does not pass on.',
  503: 'A service or auth could not be reached; retry later.',
  504: 'The service did not answer in time.',
};
const GATEWAY_USER_ERRORS: Readonly<Record<number, string>> = {
  ...GATEWAY_ERRORS,
  400: 'The gateway refused the request target, a token in the query, two Authorization headers or a body on GET.',
  401: 'No bearer token, or one that is not active (`missing_token`, `invalid_token`).',
  403: 'The token lacks the route’s scope, or a cross-origin call from an origin the gateway does not allow.',
  431: 'The token or the request headers are too large.',
};

export type OpenApiDocument = {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, PathItem>>;
} & {
  readonly [key: string]: unknown;
};
type PathItem = Readonly<Record<string, Operation>>;
type Operation = { readonly [key: string]: unknown };

/** The document for `topology` (default: Airlock's) and the services' contracts. */
export function buildOpenApiDocument(
  topology: Topology = airlockTopology,
  contracts: readonly ServiceContracts[] = serviceContracts,
): OpenApiDocument {
  const table = buildRouteTable(topology);
  const components = new SchemaComponents();
  components.convert(errorBodySchema, 'output');
  const issuer = issuerServiceOf(topology).name;
  const used = new Set<RouteContract>();
  const paths: Record<string, Record<string, Operation>> = {};

  const contractOf = (service: string, route: RoutePattern): RouteContract => {
    const contract = contracts
      .find((entry) => entry.service === service)
      ?.routes.find((candidate) => candidate.method === route.method && candidate.path === route.pattern);
    if (contract === undefined) {
      throw new OpenApiError('route_undescribed', `${service} declares no contract for ${route.label}`);
    }
    used.add(contract);
    return contract;
  };

  for (const edge of table.edges) {
    for (const route of edge.routes) {
      const publicPath = route.label.slice(route.method.length + 1);
      let operation: Operation;
      if (edge.service === issuer) {
        operation = authOperation(edge, route);
      } else if (route.pattern.startsWith(`${BFF_PREFIX}/api/`)) {
        // The BFF forwards to the gateway path without its prefix: describe it as that API route.
        const apiPath = route.pattern.slice(BFF_PREFIX.length);
        // Matched with a concrete id: a route that conveys an intent refuses an id like ':id' as unknown.
        const api = table.match(route.method, apiPath.replace(/:[A-Za-z]\w*/g, 'example-id'));
        if (api.kind !== 'matched') {
          throw new OpenApiError(
            'route_undescribed',
            `${route.label} forwards to ${apiPath}, not an API route`,
          );
        }
        const contract = contractOf(api.edge.service, api.route);
        operation = contractOperation(components, contract, route, {
          tag: edge.service,
          errors: { ...GATEWAY_ERRORS, ...contract.errors, ...bffForwardErrors },
          security: [{ session: [] }],
          csrf: route.method !== 'GET',
          summary: `${contract.summary} Through the BFF: the session cookie instead of a token.`,
        });
      } else {
        const contract = contractOf(edge.service, route);
        operation = contractOperation(components, contract, route, {
          tag: edge.service,
          errors:
            edge.as === 'user'
              ? { ...GATEWAY_USER_ERRORS, ...contract.errors }
              : { ...GATEWAY_ERRORS, ...contract.errors },
          security: edge.as === 'user' ? [{ bearer: [] }] : [],
          csrf: route.pattern.startsWith(`${BFF_PREFIX}/`) && route.method !== 'GET',
          summary: contract.summary,
        });
      }
      const item = (paths[openApiPath(publicPath)] ??= {});
      item[route.method.toLowerCase()] = operation;
    }
  }

  for (const entry of contracts) {
    for (const contract of entry.routes) {
      if (!used.has(contract)) {
        throw new OpenApiError(
          'contract_without_route',
          `${entry.service} describes ${contract.method} ${contract.path}, which no edge route reaches`,
        );
      }
    }
  }

  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Airlock public API',
      version: '1.0.0',
      description:
        'Everything a client reaches through the gateway, generated from the routes’ zod schemas and the ' +
        'topology (packages/openapi). `/api/...` takes an opaque bearer token from auth; `/auth/...` is ' +
        `OpenID Connect, described by its discovery document (\`/auth${DISCOVERY_PATH}\`); \`/bff/...\` is the ` +
        'web shop’s backend-for-frontend: the session cookie, and the CSRF header on every state-changing call.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths: sortedPaths,
    components: {
      schemas: components.all,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An opaque access token from auth (never a JWT); the gateway resolves it.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SECURE_COOKIE_NAME,
          description:
            `The BFF's HttpOnly, SameSite=Strict session cookie (\`${SECURE_COOKIE_NAME}\` over https; ` +
            'without the prefix on plain-http loopback).',
        },
        oidc: { type: 'openIdConnect', openIdConnectUrl: `/auth${DISCOVERY_PATH}` },
      },
    },
  };
}

interface OperationOptions {
  readonly tag: string;
  readonly errors: Readonly<Record<number, string>>;
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly csrf: boolean;
  readonly summary: string;
}

function contractOperation(
  components: SchemaComponents,
  contract: RouteContract,
  route: RoutePattern,
  options: OperationOptions,
): Operation {
  const parameters: JsonSchema[] = [
    ...pathParameters(route.label),
    ...queryParameters(components, contract.query),
    ...Object.entries(contract.headers ?? {}).map(([name, header]) => ({
      name,
      in: 'header',
      required: header.required,
      description: header.description,
      schema: { type: 'string' },
    })),
    ...(options.csrf
      ? [
          {
            name: CSRF_HEADER,
            in: 'header',
            required: true,
            description: 'CSRF defence: the shop’s scripts send it; a cross-site form cannot.',
            schema: { const: CSRF_HEADER_VALUE },
          },
        ]
      : []),
  ];
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(contract.responses)) {
    const content =
      response.schema !== undefined
        ? { 'application/json': { schema: components.convert(response.schema, 'output') } }
        : response.contentType !== undefined
          ? { [response.contentType]: {} }
          : undefined;
    responses[status] = { description: response.description, ...(content === undefined ? {} : { content }) };
  }
  for (const [status, description] of Object.entries(options.errors)) {
    responses[status] = { description, content: { 'application/json': { schema: ERROR_REF } } };
  }
  const body = contract.body;
  return {
    operationId: operationIdOf(route.label),
    summary: options.summary,
    tags: [options.tag],
    security: options.security,
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: body.required,
            content: Object.fromEntries(
              body.contentTypes.map((type) => [
                type,
                body.schema === undefined ? {} : { schema: components.convert(body.schema, 'input') },
              ]),
            ),
          },
        }),
    responses: sortByStatus(responses),
  };
}

/** auth's routes are OpenID Connect and OAuth 2.1 endpoints: their contract is the discovery document. */
function authOperation(edge: EdgeRoute, route: RoutePattern): Operation {
  return {
    operationId: operationIdOf(route.label),
    summary: 'OpenID Connect / OAuth 2.1 endpoint of auth, as its discovery document describes it.',
    tags: [edge.service],
    security: [],
    ...(route.segments.includes(undefined) ? { parameters: pathParameters(route.label) } : {}),
    externalDocs: { description: 'The discovery document', url: `${edge.prefix}${DISCOVERY_PATH}` },
    responses: { default: { description: 'As OpenID Connect Discovery, RFC 6749, 7009 and 7517 define.' } },
  };
}

function pathParameters(label: string): JsonSchema[] {
  return [...label.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function queryParameters(components: SchemaComponents, query: z.ZodType | undefined): JsonSchema[] {
  if (query === undefined) return [];
  const schema = components.convert(query, 'input');
  const properties = (schema['properties'] ?? {}) as Readonly<Record<string, JsonSchema>>;
  const required = new Set((schema['required'] ?? []) as readonly string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }));
}

/** `/api/orders/:id` -> `/api/orders/{id}`. */
export function openApiPath(path: string): string {
  return path.replaceAll(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `POST /api/orders/:id/pay` -> `postApiOrdersIdPay`: stable, unique per route. */
function operationIdOf(label: string): string {
  const words = label
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  return words
    .map((word, index) => (index === 0 ? word : `${word.charAt(0).toUpperCase()}${word.slice(1)}`))
    .join('');
}

function sortByStatus(responses: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}
