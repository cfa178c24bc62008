// The shape of web's routes: each one is declared in the topology as a route the gateway forwards to web
// (app.test.ts fails when the two lists differ), so nothing reaches web that the topology does not name.
import type { RequestHandler } from 'express';
import type { HttpMethod } from '@airlock/topology';

import type { ApiForwarder } from '../bff/api-forwarder.js';
import type { SignedInSessions } from '../bff/signed-in-session.js';
import type { AuthClient } from '../oauth/auth-client.js';
import type { CookiePolicy } from '../session/session-cookie.js';
import type { SessionStore } from '../session/session-store.js';
import type { Logger } from '@airlock/service-kit';

export interface WebRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handlers: readonly RequestHandler[];
}

export interface RouteDeps {
  readonly logger: Logger;
  readonly auth: AuthClient;
  readonly sessions: SessionStore;
  readonly signedIn: SignedInSessions;
  readonly api: ApiForwarder;
  readonly cookies: CookiePolicy;
  readonly staticDir: string;
}
