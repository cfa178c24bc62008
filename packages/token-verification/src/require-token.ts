// Express 5 middleware: authenticates the request with a verifier, then authorizes the immediate caller and
// the token's scopes for this route. Every refusal is answered here; next() runs only for an accepted request.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenVerifier } from './create-token-verifier.js';
import { TokenVerificationError } from './errors.js';
import type { TokenVerificationErrorCode } from './errors.js';
import { readBearerToken } from './read-bearer-token.js';
import type { VerifiedToken } from './verified-token.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's documented augmentation point is the global `Express` namespace; it merges into every consumer's Request without naming express-serve-static-core.
  namespace Express {
    interface Request {
      /** Set by requireToken() once the bearer token is verified and the caller and scopes are allowed. */
      auth?: VerifiedToken;
    }
  }
}

export interface RequireTokenOptions {
  /** Scopes the token must all carry (RFC 6749 scope tokens). */
  scopes?: readonly string[];
  /**
   * Services allowed to be the immediate caller of this route. The caller is `act.sub` when the token has
   * an `act` claim (a service acting for a user after token exchange), else its `client_id`.
   */
  allowedCallers?: readonly string[];
  /** Told about every refusal, after the answer is sent; for audit logs. Must not throw. */
  onReject?: (rejection: TokenRejection, req: Request) => void;
}

export type RejectionCode = 'invalid_token' | 'insufficient_scope' | 'caller_not_allowed' | 'unavailable';

/** What was refused and why; carries codes and names only, never the token or claim values. */
export interface TokenRejection {
  readonly status: 401 | 403 | 503;
  readonly code: RejectionCode;
  /** The verifier's reason, when the token itself was refused. */
  readonly reason?: TokenVerificationErrorCode | 'token_missing' | 'authorization_malformed';
  /** The caller that was not allowed, for `caller_not_allowed`. */
  readonly caller?: string;
}

// RFC 6749 §3.3 scope-token; it also keeps the scope safe inside the quoted WWW-Authenticate parameter.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['scopes', 'allowedCallers', 'onReject']);

const MESSAGES: Record<RejectionCode, string> = {
  invalid_token: 'A valid bearer token is required.',
  insufficient_scope: 'The bearer token does not grant access to this resource.',
  caller_not_allowed: 'The calling service may not use this resource.',
  unavailable: 'The service cannot verify tokens right now.',
};

export function requireToken(verifier: TokenVerifier, options: RequireTokenOptions = {}): RequestHandler {
  checkVerifier(verifier);
  const policy = checkOptions(options);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const outcome = await authorize(req, verifier, policy);
    if (outcome.kind === 'rejected') {
      send(res, outcome.rejection, outcome.challenge);
      notify(policy.onReject, outcome.rejection, req);
      return;
    }
    req.auth = outcome.auth;
    // Outside any try block: errors thrown further down are the route's, not token failures.
    next();
  };
}

type Outcome =
  | { readonly kind: 'accepted'; readonly auth: VerifiedToken }
  | { readonly kind: 'rejected'; readonly rejection: TokenRejection; readonly challenge?: string };

async function authorize(req: Request, verifier: TokenVerifier, policy: CheckedOptions): Promise<Outcome> {
  const reading = readBearerToken(req.rawHeaders);
  if (reading.kind === 'missing') return unauthorized('token_missing', 'Bearer');
  if (reading.kind === 'malformed') return unauthorized('authorization_malformed', INVALID_TOKEN);
  let auth: VerifiedToken;
  try {
    auth = await verifier.verify(reading.token);
  } catch (error) {
    const reason = error instanceof TokenVerificationError ? error.code : 'signature_invalid';
    // The token may well be valid: a key-set outage is ours, so answer 503 rather than make the client
    // discard its token. Either way nothing gets through.
    if (reason === 'jwks_unavailable') return rejected({ status: 503, code: 'unavailable', reason });
    return unauthorized(reason, INVALID_TOKEN);
  }
  // Caller before scopes: a service that may not call this route learns nothing about its scopes.
  if (policy.allowedCallers !== undefined) {
    const caller = callerOf(auth);
    if (caller === undefined || !policy.allowedCallers.has(caller)) {
      return rejected({
        status: 403,
        code: 'caller_not_allowed',
        ...(caller === undefined ? {} : { caller }),
      });
    }
  }
  if (!policy.scopes.every((scope) => auth.scopes.includes(scope))) {
    const challenge = `Bearer error="insufficient_scope", scope="${policy.scopes.join(' ')}"`;
    return rejected({ status: 403, code: 'insufficient_scope' }, challenge);
  }
  return { kind: 'accepted', auth };
}

const INVALID_TOKEN = 'Bearer error="invalid_token"';

/** The immediate caller: the actor of a delegated token, else the client the token was issued to. */
function callerOf(auth: VerifiedToken): string | undefined {
  return auth.act?.sub ?? auth.client_id;
}

function unauthorized(reason: NonNullable<TokenRejection['reason']>, challenge: string): Outcome {
  return rejected({ status: 401, code: 'invalid_token', reason }, challenge);
}

function rejected(rejection: TokenRejection, challenge?: string): Outcome {
  return challenge === undefined
    ? { kind: 'rejected', rejection }
    : { kind: 'rejected', rejection, challenge };
}

function send(res: Response, rejection: TokenRejection, challenge: string | undefined): void {
  res.status(rejection.status).set('Cache-Control', 'no-store');
  if (challenge !== undefined) res.set('WWW-Authenticate', challenge);
  res.json({ error: { code: rejection.code, message: MESSAGES[rejection.code] } });
}

function notify(onReject: RequireTokenOptions['onReject'], rejection: TokenRejection, req: Request): void {
  if (onReject === undefined) return;
  try {
    onReject(rejection, req);
  } catch {
    // The answer is already sent; a failing audit hook must not turn a refusal into an error path.
  }
}

function checkVerifier(verifier: unknown): void {
  const verify = (verifier as { verify?: unknown } | null | undefined)?.verify;
  if (typeof verify !== 'function')
    throw new TypeError('requireToken needs a verifier from createTokenVerifier');
}

interface CheckedOptions {
  scopes: readonly string[];
  allowedCallers: ReadonlySet<string> | undefined;
  onReject: RequireTokenOptions['onReject'];
}

function checkOptions(options: RequireTokenOptions): CheckedOptions {
  const raw: unknown = options;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TypeError('requireToken options must be an object');
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`"${key}" is not a requireToken option`);
  }
  const { scopes = [], allowedCallers, onReject } = raw as Record<string, unknown>;
  if (!isStringArray(scopes) || !scopes.every((scope) => SCOPE_TOKEN.test(scope))) {
    throw new TypeError('"scopes" option must be an array of scope tokens (RFC 6749 §3.3)');
  }
  if (
    allowedCallers !== undefined &&
    (!isStringArray(allowedCallers) ||
      allowedCallers.length === 0 ||
      allowedCallers.some((caller) => caller.length === 0))
  ) {
    // An empty list would refuse everyone; leaving the option out is how a route accepts any caller.
    throw new TypeError('"allowedCallers" option must be a non-empty array of service names');
  }
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw new TypeError('"onReject" option must be a function');
  }
  return {
    scopes: [...scopes],
    allowedCallers: allowedCallers === undefined ? undefined : new Set(allowedCallers),
    onReject: onReject as RequireTokenOptions['onReject'],
  };
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
