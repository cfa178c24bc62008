// The token layer's security cases that every business service must pass, derived from the topology: every route
// the topology gives the service refuses the shared authentication failures, a token minted for any other service
// of the topology is refused, and the service registers exactly the routes the topology declares for it.
// A service's `<resource>.security.test.ts` calls describeTokenLayer, then adds its own authorization cases.
import type { RequestListener } from 'node:http';

import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { airlockTopology, allowedCallsTo } from '@airlock/topology';
import type { Topology } from '@airlock/topology';

import { authFailureCases } from './auth-failure-cases.js';
import { errorCode } from './http.js';
import type { TestIssuer } from './tokens.js';

export interface RouteLike {
  readonly method: string;
  readonly path: string;
}

export interface TokenLayerSuiteOptions {
  /** The service under test, by its topology name: the audience its tokens carry. */
  readonly service: string;
  /** Defaults to Airlock's topology. */
  readonly topology?: Topology;
  /** The app under test; called after the file's beforeAll has built it. */
  readonly app: () => RequestListener;
  /** The issuer whose keys the app's verifier trusts. */
  readonly issuer: () => TestIssuer;
  /** Claims of a token every route would accept (sub, scope, act), apart from what each case breaks. */
  readonly validClaims: Record<string, unknown>;
  /** A value for each path parameter of the service's routes (`:id` -> an id). */
  readonly pathParams?: Readonly<Record<string, string>>;
  /** Headers sent with every request (an Idempotency-Key where the service requires one). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A valid body for a route, so a refusal is shown to come before any work on it; undefined sends none. */
  readonly body?: (route: RouteLike) => object | Buffer | undefined;
  /** Claims the service requires beyond service-kit's (its token policy's requiredClaims). */
  readonly requiredClaims?: readonly string[];
  /** Called after each route's refusals: asserts that nothing was written (rows, records, calls). */
  readonly assertUntouched?: () => void | Promise<void>;
  /** The routes the service registers; compared with the topology's. */
  readonly registeredRoutes: () => readonly RouteLike[];
}

export function describeTokenLayer(options: TokenLayerSuiteOptions): void {
  const topology = options.topology ?? airlockTopology;
  const declared = allowedCallsTo(topology, options.service);
  const routes = [...new Map(declared.map((call) => [`${call.method} ${call.path}`, call])).values()].map(
    (call) => ({ method: call.method, path: call.path, url: fillPath(call.path, options.pathParams ?? {}) }),
  );
  const callers = new Set(declared.map((call) => call.caller));
  const others = topology.services.map((service) => service.name).filter((name) => name !== options.service);
  const foreignCaller = others.find((name) => !callers.has(name));
  const [firstRoute] = routes;
  const [otherAudience] = others;
  if (firstRoute === undefined || foreignCaller === undefined || otherAudience === undefined) {
    throw new Error(`${options.service}: the topology gives it no route, or no service that may not call it`);
  }

  const send = (route: { method: string; path: string; url: string }, authorization: string | undefined) => {
    const agent = request(options.app());
    const call =
      route.method === 'GET'
        ? agent.get(route.url)
        : agent[route.method === 'POST' ? 'post' : 'delete'](route.url);
    for (const [name, value] of Object.entries(options.headers ?? {})) call.set(name, value);
    if (authorization !== undefined) call.set('Authorization', authorization);
    const body = options.body?.(route);
    return body === undefined ? call : call.send(body);
  };

  describe(`${options.service}: the token layer (derived from the topology)`, () => {
    describe.each(routes)('$method $path', (route) => {
      it('refuses every shared authentication failure with its status and code', async () => {
        const cases = await authFailureCases({
          issuer: options.issuer(),
          audience: options.service,
          validClaims: options.validClaims,
          foreignCaller,
          otherAudience,
          requiresJti: options.requiredClaims?.includes('jti') ?? false,
        });
        for (const failure of cases) {
          const response = await send(route, failure.authorization);
          expect({ case: failure.name, status: response.status, code: errorCode(response) }).toEqual({
            case: failure.name,
            status: failure.status,
            code: failure.code,
          });
        }
        await options.assertUntouched?.();
      });
    });

    it.each(others)('refuses a token minted for %s (audience replay)', async (audience) => {
      const token = await options.issuer().mint({ claims: { ...options.validClaims, aud: audience } });
      const response = await send(firstRoute, `Bearer ${token}`);
      expect({ status: response.status, code: errorCode(response) }).toEqual({
        status: 401,
        code: 'invalid_token',
      });
    });

    it('registers exactly the routes the topology declares for it, each once', () => {
      const registered = options.registeredRoutes().map((route) => `${route.method} ${route.path}`);
      expect(new Set(registered)).toEqual(new Set(routes.map((route) => `${route.method} ${route.path}`)));
      expect(registered).toHaveLength(new Set(registered).size);
    });
  });
}

function fillPath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replace(/:([A-Za-z_]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for path parameter :${name} of ${path}`);
    return encodeURIComponent(value);
  });
}
