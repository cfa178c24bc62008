// POST /auth/interaction/:uid/login — checks the submitted credentials for a pending authorization request.
// Wrong password and unknown user get the same page after the same work; an attempt is reserved against the
// login limits (per username and client, per client; a username attacked from everywhere is slowed down) before
// its password is hashed, hashing is capped, and success grants the first-party client and resumes the
// authorization.
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { auditDecision } from '@airlock/service-kit';
import { SharedStateError } from '@airlock/shared-state/errors';
import { applyRequestedScopes } from '../provider/grant-scopes.js';
import { PasswordCheckGate } from '../users/password-check-gate.js';
import type { LoginReservation } from '../users/login-rate-limiter.js';
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
  const passwordChecks = deps.passwordChecks ?? new PasswordCheckGate();
  return [precheck, parseForm, submitLogin(deps, passwordChecks), formErrors];
}

/** body-parser's errors carry an HTTP status; only their status is used, never their message. */
function asProblem(error: unknown): unknown {
  if (error instanceof InteractionProblem || typeof error !== 'object' || error === null) return error;
  const status = 'status' in error ? error.status : undefined;
  if (status === 413) return new InteractionProblem(413, 'Request too large', 'The form was too large.');
  if (typeof status === 'number' && status >= 400 && status < 500) return badForm();
  return error;
}

/** Retry-After when every password check is taken: a sign-in is worth retrying a moment later. */
const BUSY_RETRY_AFTER_SECONDS = 1;

function submitLogin(deps: InteractionDeps, passwordChecks: PasswordCheckGate): RequestHandler {
  return async (req, res) => {
    try {
      const interaction = await boundInteraction(deps, req, res);
      const submitted = field(req.body, 'username', MAX_USERNAME_LENGTH);
      const password = field(req.body, 'password', MAX_PASSWORD_LENGTH);
      const username = normalizeUsername(submitted);
      const address = await deps.clientAddress(req);
      const csp = pageSecurityPolicy(deps);
      const formPage = (message: string) =>
        loginPage({
          action: `${deps.pathPrefix}/interaction/${interaction.uid}/login`,
          clientName: clientDisplayName(interaction.params.client_id),
          message,
          username: submitted,
        });

      const deny = (reason: string): void => {
        auditDecision(deps.logger, { route: ROUTE, decision: 'deny', reason, requestId: req.id });
      };
      // Reserved before any hashing (synchronously in memory, atomically in Redis): concurrent attempts count
      // against each other. Shared limits that cannot be read refuse the attempt (fail closed).
      let reservation: LoginReservation;
      try {
        const reserved = deps.limiter.reserve(username, address);
        reservation = reserved instanceof Promise ? await reserved : reserved;
      } catch (error) {
        if (!(error instanceof SharedStateError)) throw error;
        deps.logger.error({ requestId: req.id, code: error.code }, 'shared login limits unavailable');
        deny('limits_unavailable');
        res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
        sendPage(res, 503, formPage('Sign-in is temporarily unavailable. Wait a moment and try again.'), csp);
        return;
      }
      if (!reservation.allowed) {
        deny('rate_limited');
        res.setHeader('Retry-After', String(reservation.retryAfterSeconds));
        sendPage(res, 429, formPage('Too many attempts. Wait a moment and try again.'), csp);
        return;
      }
      if (reservation.delayMs > 0) await sleep(reservation.delayMs);
      const checked = await passwordChecks.run(() => deps.users.authenticate(username, password));
      if (!checked.ran) {
        // Never checked, so not a failure: the reservation is given back.
        reservation.release();
        deny('busy');
        res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
        sendPage(res, 503, formPage('Sign-in is busy. Wait a moment and try again.'), csp);
        return;
      }
      const user = checked.value;
      if (user === undefined) {
        // The reservation stands as the recorded failure.
        deny('bad_credentials');
        sendPage(res, 200, formPage(LOGIN_FAILED_MESSAGE), csp);
        return;
      }
      reservation.release();

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
