// Registers a service's routes so that none can skip the token layer: each gets requireToken with exactly the
// callers the topology allows for its method and path, plus its scopes; every token decision leaves one audit
// line; and each path answers other methods with 405 and an Allow header.
import type { Request, RequestHandler, Router } from 'express';
import { requireToken } from '@airlock/token-verification';
import type { TokenRejection, TokenVerifier, VerifiedToken } from '@airlock/token-verification';
import { airlockTopology, callersOfRoute, userRouteScopes } from '@airlock/topology';
import type { HttpMethod, Topology } from '@airlock/topology';

import { auditDecision } from './audit.js';
import { methodNotAllowedHandler } from './error-handler.js';
import type { Logger } from './logger.js';

export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** Express pattern, spelled exactly as in the topology. */
  readonly path: string;
  /** Scopes the token must carry, on top of the caller check. */
  readonly scopes: readonly string[];
}

export interface ProtectedRoute extends RouteDeclaration {
  readonly handlers: readonly RequestHandler[];
}

export interface ProtectedRoutesOptions {
  /** The service's name in the topology: the callee whose allowed callers are looked up. */
  readonly service: string;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** Defaults to Airlock's topology; the service template passes the topology it is tested against. */
  readonly topology?: Topology;
}

/**
 * Registers every route behind its token guard, then writes one `allow` audit line for each accepted token,
 * and answers other methods on the same paths with 405. Throws if a route is not declared in the topology.
 */
export function registerProtectedRoutes(
  router: Router,
  routes: readonly ProtectedRoute[],
  options: ProtectedRoutesOptions,
): void {
  const { logger } = options;
  for (const route of routes) {
    const name = routeName(route);
    const guard = routeTokenGuard(route, options);
    const allowed: RequestHandler = (req, _res, next) => {
      const auth = req.auth;
      auditDecision(logger, {
        route: name,
        decision: 'allow',
        reason: 'token_accepted',
        ...(auth === undefined ? {} : { subject: auth.sub }),
        ...(auth?.client_id === undefined ? {} : { client: auth.client_id }),
        ...(auth?.act === undefined ? {} : { caller: auth.act.sub }),
        ...requestIdOf(req),
      });
      next();
    };
    router[methodKey(route.method)](route.path, guard, allowed, ...route.handlers);
  }
  for (const [path, methods] of methodsByPath(routes)) {
    router.all(path, methodNotAllowedHandler(methods));
  }
}

/**
 * The token guard of one route: requireToken with the route's scopes and the callers the topology allows for
 * it, writing one `deny` audit line per refusal. For a route that audits its own outcome once the work is done
 * (image-processor); registerProtectedRoutes adds the `allow` line at the token instead.
 */
export function routeTokenGuard(route: RouteDeclaration, options: ProtectedRoutesOptions): RequestHandler {
  const { service, verifier, logger } = options;
  const name = routeName(route);
  const topology = options.topology ?? airlockTopology;
  const allowedCallers = callersOfRoute(topology, service, route.method, route.path);
  if (allowedCallers.length === 0) {
    // A route nobody may call is a route the topology does not know: refuse to start rather than guess.
    throw new Error(`${service}: route ${name} is not declared in the topology`);
  }
  // Auth narrows each exchanged token to the scopes the topology gives the audience's routes: a route that
  // required another scope would refuse every user, one that required fewer would grant more than declared.
  const topologyScopes = userRouteScopes(topology, service, route.method, route.path);
  if (topologyScopes !== undefined && !sameScopes(topologyScopes, route.scopes)) {
    throw new Error(
      `${service}: route ${name} requires scopes "${route.scopes.join(' ')}" but the topology declares "${topologyScopes.join(' ')}"`,
    );
  }
  return requireToken(verifier, {
    scopes: route.scopes,
    allowedCallers,
    onReject: (rejection: TokenRejection, req: Request) => {
      auditDecision(logger, {
        route: name,
        decision: 'deny',
        reason: rejection.reason ?? rejection.code,
        ...(rejection.caller === undefined ? {} : { caller: rejection.caller }),
        ...requestIdOf(req),
      });
    },
  });
}

/** The verified token of an accepted request, for handlers that run behind a token guard. */
export function authOf(req: Request): VerifiedToken {
  const auth = req.auth;
  // Only reachable if a route were registered without its guard, which registerProtectedRoutes prevents;
  // failing here keeps such a bug from ever serving a request without a user.
  if (auth === undefined) throw new Error('route reached without a verified token');
  return auth;
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope) => b.includes(scope));
}

function routeName(route: RouteDeclaration): string {
  return `${route.method} ${route.path}`;
}

/** The paths with the methods each accepts; GET implies HEAD, which Express answers with the GET route. */
function methodsByPath(routes: readonly ProtectedRoute[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? [];
    methods.push(route.method, ...(route.method === 'GET' ? ['HEAD'] : []));
    byPath.set(route.path, methods);
  }
  return byPath;
}

function methodKey(method: HttpMethod): 'get' | 'post' | 'put' | 'patch' | 'delete' {
  switch (method) {
    case 'GET':
      return 'get';
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
  }
}

function requestIdOf(req: Request): { requestId?: string } {
  return req.id === undefined ? {} : { requestId: req.id };
}
