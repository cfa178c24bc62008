// Builds web, the shop's backend-for-frontend, from its dependencies without listening: tests drive it
// in-process. Order: service-kit's preset, the CSRF check on every state-changing call, the routes, 404/errors.
import type { Express } from 'express';
import { createRouter, createServiceApp, finishApp } from '@airlock/service-kit';
import type { FetchDispatcher, Logger } from '@airlock/service-kit';

import { ApiForwarder } from './bff/api-forwarder.js';
import { requireSameOriginCall } from './bff/csrf.js';
import { SignedInSessions } from './bff/signed-in-session.js';
import type { AuthClient } from './oauth/auth-client.js';
import { apiRoutes } from './routes/api.forward.js';
import { sessionRoutes } from './routes/session.js';
import { shopRoutes } from './routes/shop.show.js';
import { signInRoutes } from './routes/sign-in.js';
import type { RouteDeps, WebRoute } from './routes/web-route.js';
import type { CookiePolicy } from './session/session-cookie.js';
import type { SessionStore } from './session/session-store.js';

export interface WebAppDeps {
  readonly logger: Logger;
  readonly auth: AuthClient;
  readonly sessions: SessionStore;
  readonly cookies: CookiePolicy;
  /** The shop's public origin: the only Origin a state-changing call may come from. */
  readonly publicOrigin: URL;
  readonly gatewayUrl: URL;
  /** Spreads the API calls over every gateway replica (createFetchDispatcher); else fetch's default. */
  readonly gatewayDispatcher?: FetchDispatcher;
  readonly staticDir: string;
  readonly now?: () => number;
}

/** Every route of web; each is declared in the topology as forwarded by the gateway. */
export function webRoutes(deps: RouteDeps): WebRoute[] {
  return [...shopRoutes(deps), ...signInRoutes(deps), ...sessionRoutes(deps), ...apiRoutes(deps)];
}

export function createApp(deps: WebAppDeps): Express {
  const { logger, auth, sessions, cookies } = deps;
  const signedIn = new SignedInSessions({ sessions, auth, cookies, ...(deps.now ? { now: deps.now } : {}) });
  const api = new ApiForwarder({
    gatewayUrl: deps.gatewayUrl,
    sessions: signedIn,
    dispatcher: deps.gatewayDispatcher,
  });
  // Behind the gateway only: its request id joins web's log lines.
  const app = createServiceApp({ logger, trustIncomingRequestId: true });
  const router = createRouter();
  router.use(requireSameOriginCall(deps.publicOrigin));
  const routeDeps: RouteDeps = { logger, auth, sessions, signedIn, api, cookies, staticDir: deps.staticDir };
  for (const route of webRoutes(routeDeps)) {
    const method = route.method.toLowerCase() as Lowercase<WebRoute['method']>;
    router[method](route.path, ...route.handlers);
  }
  app.use(router);
  return finishApp(app, { logger });
}
