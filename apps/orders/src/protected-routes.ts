// Registers orders' routes so that none can skip the token layer: each gets requireToken with exactly the
// callers the topology allows for its method and path, plus its scopes; every token decision leaves one audit
// line; and each path answers other methods with 405 and an Allow header.
import type { Request, RequestHandler, Router } from 'express';
import { auditDecision, methodNotAllowedHandler } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import { requireToken } from '@airlock/token-verification';
import type { TokenRejection, TokenVerifier } from '@airlock/token-verification';
import { airlockTopology, callersOfRoute } from '@airlock/topology';
import type { HttpMethod } from '@airlock/topology';

export interface ProtectedRoute {
  readonly method: HttpMethod;
  /** Express pattern, spelled exactly as in the topology. */
  readonly path: string;
  /** Scopes the token must carry, on top of the caller check. */
  readonly scopes: readonly string[];
  readonly handlers: readonly RequestHandler[];
}

export interface RegisterOptions {
  readonly service: string;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
}

export function registerProtectedRoutes(
  router: Router,
  routes: readonly ProtectedRoute[],
  options: RegisterOptions,
): void {
  const { service, verifier, logger } = options;
  for (const route of routes) {
    const name = `${route.method} ${route.path}`;
    const allowedCallers = callersOfRoute(airlockTopology, service, route.method, route.path);
    if (allowedCallers.length === 0) {
      // A route nobody may call is a route the topology does not know: refuse to start rather than guess.
      throw new Error(`${service}: route ${name} is not declared in the topology`);
    }
    const guard = requireToken(verifier, {
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
