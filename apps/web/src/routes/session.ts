// GET /bff/session tells the page who is signed in (the user's name and nothing else); POST /bff/sign-out
// revokes the refresh and access tokens at auth and ends the session, whatever auth answers.
import { z } from 'zod';
import type { RouteContract } from '@airlock/service-kit/api-contract';

import type { RouteDeps, WebRoute } from './web-route.js';
import { clearedSessionCookie, sessionIdOf } from '../session/session-cookie.js';

export const sessionViewSchema = z
  .strictObject({ signedIn: z.boolean(), user: z.string().optional() })
  .meta({ id: 'Session' });
export type SessionView = Readonly<z.output<typeof sessionViewSchema>>;

export const sessionContracts: readonly RouteContract[] = [
  {
    method: 'GET',
    path: '/bff/session',
    summary: 'Who is signed in: the user’s name and nothing else.',
    responses: { 200: { description: 'The session’s state.', schema: sessionViewSchema } },
    errors: {},
  },
  {
    method: 'POST',
    path: '/bff/sign-out',
    summary: 'Revokes the session’s tokens at auth and ends the session.',
    responses: { 204: { description: 'Signed out; the cookie is cleared.' } },
    errors: { 403: 'The CSRF header or the Origin is missing or wrong (`csrf_refused`).' },
  },
];

export function sessionRoutes(
  deps: Pick<RouteDeps, 'auth' | 'sessions' | 'signedIn' | 'cookies' | 'logger'>,
): WebRoute[] {
  const { auth, sessions, signedIn, cookies, logger } = deps;
  return [
    {
      method: 'GET',
      path: '/bff/session',
      handlers: [
        (req, res) => {
          const current = signedIn.of(req);
          const view: SessionView =
            current === undefined ? { signedIn: false } : { signedIn: true, user: current.session.user };
          res.json(view);
        },
      ],
    },
    {
      method: 'POST',
      path: '/bff/sign-out',
      handlers: [
        async (req, res) => {
          const current = signedIn.of(req);
          const id = sessionIdOf(req, cookies);
          if (id !== undefined) sessions.delete(id);
          res.setHeader('Set-Cookie', clearedSessionCookie(cookies));
          if (current !== undefined) {
            const { refreshToken, accessToken } = current.session.tokens;
            // Refresh first: revoking it ends the grant, and with it every access token of the grant.
            const revocations = [
              ...(refreshToken === undefined ? [] : [auth.revoke(refreshToken, 'refresh_token')]),
              auth.revoke(accessToken, 'access_token'),
            ];
            const results = await Promise.allSettled(revocations);
            const failed = results.filter((result) => result.status === 'rejected').length;
            if (failed > 0)
              logger.warn({ requestId: req.id, failed }, 'sign-out: auth did not confirm a revocation');
          }
          res.status(204).end();
        },
      ],
    },
  ];
}
