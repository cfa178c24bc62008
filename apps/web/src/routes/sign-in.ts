// GET /bff/sign-in starts the authorization code flow (a pending sign-in under a fresh cookie); GET /callback
// finishes it: the state, issuer and PKCE verifier must match, and the signed-in session gets a NEW id, so an
// id known before sign-in (fixation) is worth nothing after it.
import { AppError } from '@airlock/service-kit';
import type { RouteContract } from '@airlock/service-kit/api-contract';

import { clearedSessionCookie, sessionCookie, sessionIdOf } from '../session/session-cookie.js';
import { WebError } from '../web-error.js';
import type { RouteDeps, WebRoute } from './web-route.js';

/** A sign-in must come back from auth within this long. */
export const PENDING_SIGN_IN_SECONDS = 10 * 60;

export const signInContracts: readonly RouteContract[] = [
  {
    method: 'GET',
    path: '/bff/sign-in',
    summary: 'Starts the authorization code flow with PKCE under a fresh pending-session cookie.',
    responses: { 303: { description: 'To auth’s authorization endpoint.' } },
    errors: {},
  },
  {
    method: 'GET',
    path: '/callback',
    summary: 'Finishes the sign-in: state, issuer and PKCE verifier must match; the session gets a new id.',
    responses: { 303: { description: 'Signed in: back to the shop, with the session cookie.' } },
    errors: { 400: 'The sign-in failed or expired (`sign_in_failed`).' },
  },
];

function signInFailed(cause?: unknown): AppError {
  return new AppError({
    status: 400,
    code: 'sign_in_failed',
    expose: 'Sign-in failed; start again from the shop.',
    ...(cause === undefined ? {} : { cause }),
  });
}

export function signInRoutes(deps: Pick<RouteDeps, 'auth' | 'sessions' | 'cookies' | 'logger'>): WebRoute[] {
  const { auth, sessions, cookies, logger } = deps;
  return [
    {
      method: 'GET',
      path: '/bff/sign-in',
      handlers: [
        (req, res) => {
          const previous = sessionIdOf(req, cookies);
          if (previous !== undefined) sessions.delete(previous);
          const { pending, url } = auth.startSignIn();
          const id = sessions.create(pending);
          res.setHeader('Set-Cookie', sessionCookie(cookies, id, PENDING_SIGN_IN_SECONDS));
          res.redirect(303, url);
        },
      ],
    },
    {
      method: 'GET',
      path: '/callback',
      handlers: [
        async (req, res) => {
          const id = sessionIdOf(req, cookies);
          const pending = id === undefined ? undefined : sessions.get(id);
          // Whatever happens next, the pending sign-in is used up.
          if (id !== undefined) sessions.delete(id);
          res.setHeader('Set-Cookie', clearedSessionCookie(cookies));
          if (pending?.kind !== 'pending') throw signInFailed();
          const query = new URL(req.originalUrl, 'http://web.invalid').searchParams;
          try {
            const { user, tokens } = await auth.finishSignIn(pending, query);
            const signedIn = sessions.create({ kind: 'signed-in', user, tokens });
            res.setHeader(
              'Set-Cookie',
              sessionCookie(cookies, signedIn, sessions.remainingSeconds(signedIn)),
            );
            res.redirect(303, '/');
          } catch (error) {
            if (!(error instanceof WebError)) throw error;
            logger.warn({ requestId: req.id, code: error.code, reason: error.message }, 'sign-in refused');
            throw signInFailed(error);
          }
        },
      ],
    },
  ];
}
