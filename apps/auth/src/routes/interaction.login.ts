// POST /auth/interaction/:uid/login — checks the submitted credentials for a pending authorization request.
// Wrong password and unknown user get the same page after the same work; failures are rate limited per
// username and per client address; success grants the first-party client and resumes the authorization.
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { auditDecision } from '@airlock/service-kit';
import { applyRequestedScopes } from '../provider/grant-scopes.js';
import { MAX_PASSWORD_LENGTH } from '../users/password-hash.js';
import { MAX_USERNAME_LENGTH, normalizeUsername } from '../users/user-store.js';
import { loginPage } from '../views/html.js';
import {
  boundInteraction,
  clientDisplayName,
  InteractionProblem,
  pageSecurityPolicy,
  sendPage,
  sendProblem,
  type InteractionDeps,
} from './interaction-context.js';

export const LOGIN_FORM_LIMIT_BYTES = 4 * 1024;
export const LOGIN_FAILED_MESSAGE = 'Invalid username or password.';
const ROUTE = 'POST /auth/interaction/:uid/login';

const parseForm = express.urlencoded({
  extended: false,
  limit: LOGIN_FORM_LIMIT_BYTES,
  parameterLimit: 10,
  type: 'application/x-www-form-urlencoded',
});

function badForm(): InteractionProblem {
  return new InteractionProblem(400, 'Bad request', 'The form could not be read.');
}

function field(body: unknown, name: string, maxLength: number): string {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  // One value, as a browser sends it: a repeated field or an empty one is not a form this page made.
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw badForm();
  return value;
}

function checkSameOrigin(req: Request, issuerOrigin: string): void {
  // The interaction cookie is the CSRF defence; these refuse cross-site posts before any password work.
  const origin = req.get('origin');
  const fetchSite = req.get('sec-fetch-site');
  if ((origin !== undefined && origin !== issuerOrigin) || fetchSite === 'cross-site') {
    throw new InteractionProblem(403, 'Forbidden', 'Cross-site sign-in requests are refused.');
  }
}

function clientAddress(req: Request, trustProxy: boolean): string {
  // With trustProxy, Express takes the last X-Forwarded-For hop (the gateway's view of the client).
  const address = trustProxy ? req.ip : req.socket.remoteAddress;
  return address ?? 'unknown';
}

/**
 * The route's handlers in order: refuse cross-site posts and non-form bodies before reading anything, parse
 * the small form, check the credentials, and answer every failure with a plain page.
 */
export function loginRoute(deps: InteractionDeps): [...RequestHandler[], ErrorRequestHandler] {
  const issuerOrigin = new URL(deps.issuer).origin;
  const precheck: RequestHandler = (req, _res, next) => {
    checkSameOrigin(req, issuerOrigin);
    if (!req.is('application/x-www-form-urlencoded')) throw badForm();
    next();
  };
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express recognises error handlers by their four parameters.
  const formErrors: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    sendProblem(deps, res, asProblem(error), req.id);
  };
  return [precheck, parseForm, submitLogin(deps), formErrors];
}

/** body-parser's errors carry an HTTP status; only their status is used, never their message. */
function asProblem(error: unknown): unknown {
  if (error instanceof InteractionProblem || typeof error !== 'object' || error === null) return error;
  const status = 'status' in error ? error.status : undefined;
  if (status === 413) return new InteractionProblem(413, 'Request too large', 'The form was too large.');
  if (typeof status === 'number' && status >= 400 && status < 500) return badForm();
  return error;
}

function submitLogin(deps: InteractionDeps): RequestHandler {
  return async (req, res) => {
    try {
      const interaction = await boundInteraction(deps, req, res);
      const submitted = field(req.body, 'username', MAX_USERNAME_LENGTH);
      const password = field(req.body, 'password', MAX_PASSWORD_LENGTH);
      const username = normalizeUsername(submitted);
      const address = clientAddress(req, deps.trustProxy);
      const csp = pageSecurityPolicy(deps);
      const formPage = (message: string) =>
        loginPage({
          action: `${deps.pathPrefix}/interaction/${interaction.uid}/login`,
          clientName: clientDisplayName(interaction.params.client_id),
          message,
          username: submitted,
        });

      const retryAfter = deps.limiter.retryAfterSeconds(username, address);
      if (retryAfter > 0) {
        auditDecision(deps.logger, {
          route: ROUTE,
          decision: 'deny',
          reason: 'rate_limited',
          requestId: req.id,
        });
        res.setHeader('Retry-After', String(retryAfter));
        sendPage(res, 429, formPage('Too many attempts. Wait a moment and try again.'), csp);
        return;
      }

      const user = await deps.users.authenticate(username, password);
      if (user === undefined) {
        deps.limiter.recordFailure(username, address);
        auditDecision(deps.logger, {
          route: ROUTE,
          decision: 'deny',
          reason: 'bad_credentials',
          requestId: req.id,
        });
        sendPage(res, 200, formPage(LOGIN_FAILED_MESSAGE), csp);
        return;
      }

      const provider = deps.provider();
      const clientId = String(interaction.params.client_id);
      const existing =
        interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId);
      const grant =
        existing !== undefined && existing.accountId === user.username && existing.clientId === clientId
          ? existing
          : new provider.Grant({ accountId: user.username, clientId });
      applyRequestedScopes(grant, interaction.params.scope, user);
      const grantId = await grant.save();
      auditDecision(deps.logger, {
        route: ROUTE,
        subject: user.username,
        client: clientId,
        decision: 'allow',
        reason: 'signed_in',
        requestId: req.id,
      });
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.username, amr: ['pwd'] }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      sendProblem(deps, res, error, req.id);
    }
  };
}
