// The gateway's client of auth: trades a client's opaque token for a JWT addressed to one service (RFC 8693
// token exchange), authenticated as the gateway with private_key_jwt (RFC 7523). One call per cache miss.
// Anything but a well-formed answer is a failure that fails closed (503) and is never cached; only auth's
// explicit "this token is not valid" (`invalid_grant`) becomes a (negative) result.
//
// The gateway does not verify the JWT's signature: it is not its audience, and the service that is verifies it
// (with @airlock/token-verification). The gateway checks the claims its own decisions rest on (issuer, the one
// audience, type, subject, client, actor, expiry) so that a confused or garbled answer is refused, not forwarded
// or cached.
import type { Dispatcher } from 'undici';
import {
  createTokenExchangeClient,
  MAX_EXCHANGE_TIMEOUT_MS,
  TokenExchangeError,
  type TokenExchangeErrorCode,
} from '@airlock/workload-identity';
import { AUTHORIZATION_DETAILS } from '@airlock/topology';
import type { UserIntent } from '@airlock/topology';
import type { Resolution } from './token-cache.js';

/** Why auth could not be used; the stable codes appear in audit lines and tests, never in client responses. */
export type AuthFailureCode =
  | 'auth_unreachable'
  | 'auth_timeout'
  | 'auth_error_status'
  | 'auth_invalid_response'
  | 'auth_refused_gateway'
  /** Too many exchanges in flight already: refused without calling auth. */
  | 'auth_overloaded'
  /** This client already holds its share of the exchanges in flight: refused without calling auth. */
  | 'rate_limited_exchanges';

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  readonly code: AuthFailureCode;

  constructor(code: AuthFailureCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The exchange client's stable codes, as the gateway's audit reasons. */
const AUTH_FAILURE_OF: Readonly<Record<TokenExchangeErrorCode, AuthFailureCode>> = {
  exchange_unreachable: 'auth_unreachable',
  exchange_timeout: 'auth_timeout',
  exchange_error_status: 'auth_error_status',
  exchange_invalid_response: 'auth_invalid_response',
  exchange_client_refused: 'auth_refused_gateway',
  exchange_refused: 'auth_refused_gateway',
};

export interface TokenResolverOptions {
  /** The pool to auth's internal listener. */
  readonly dispatcher: Dispatcher;
  /** Auth's internal origin, e.g. `http://127.0.0.1:8081`. */
  readonly origin: string;
  /** Path of the token endpoint on that origin, e.g. `/auth/token`. */
  readonly tokenPath: string;
  /** Auth's issuer identifier: the JWT's expected `iss`. */
  readonly issuer: string;
  /** The gateway's client_id at auth (its topology name); also the JWT's expected `act.sub`. */
  readonly clientId: string;
  /** Signs a fresh client assertion (one per call: auth refuses a replayed `jti`). */
  readonly clientAssertion: () => Promise<string>;
  /** Deadline for the whole call, assertion signing included. At most 2000. */
  readonly timeoutMs: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/** `intent`: ask for a token that carries the user's intent for this one request (never cached). */
export type TokenResolver = (token: string, audience: string, intent?: UserIntent) => Promise<Resolution>;

export const MAX_AUTH_TIMEOUT_MS = MAX_EXCHANGE_TIMEOUT_MS;

export function createTokenResolver(options: TokenResolverOptions): TokenResolver {
  if (
    !Number.isInteger(options.timeoutMs) ||
    options.timeoutMs < 1 ||
    options.timeoutMs > MAX_AUTH_TIMEOUT_MS
  ) {
    throw new TypeError(
      `createTokenResolver: option "timeoutMs" must be an integer from 1 to ${MAX_AUTH_TIMEOUT_MS}`,
    );
  }
  const now = options.now ?? Date.now;
  const exchange = createTokenExchangeClient({
    authOrigin: options.origin,
    tokenPath: options.tokenPath,
    clientId: options.clientId,
    clientAssertion: options.clientAssertion,
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
  });

  return async (token, audience, intent) => {
    let result;
    try {
      result = await exchange({
        subjectToken: token,
        audience,
        ...(intent === undefined ? {} : { authorizationDetails: [{ ...intent }] }),
      });
    } catch (cause) {
      if (!(cause instanceof TokenExchangeError)) throw cause;
      throw new AuthFailure(AUTH_FAILURE_OF[cause.code], cause.message, { cause });
    }
    // RFC 8693 §2.2.2: invalid_grant is auth's word that the subject token is not (or no longer) valid.
    if (result.kind === 'refused') {
      return {
        kind: 'refused',
        reason: result.oauthError === 'invalid_grant' ? 'inactive' : 'insufficient_scope',
      };
    }
    return checkClaims(result.accessToken, audience, options, now(), intent);
  };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function invalid(message: string): AuthFailure {
  return new AuthFailure('auth_invalid_response', message);
}

/**
 * The claims the gateway's own decisions rest on (issuer, the one audience, type, subject, client, actor,
 * expiry), so that a confused or garbled answer is refused, not forwarded or cached.
 */
function checkClaims(
  jwt: string,
  audience: string,
  options: TokenResolverOptions,
  nowMs: number,
  intent: UserIntent | undefined,
): Resolution {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    throw invalid('access_token is not a compact JWS');
  }
  const [rawHeader = '', rawPayload = ''] = parts;
  const header = parseJsonObject(Buffer.from(rawHeader, 'base64url').toString('utf8'));
  const claims = parseJsonObject(Buffer.from(rawPayload, 'base64url').toString('utf8'));
  if (header === undefined || claims === undefined) throw invalid('access_token is not a JWT');
  if (typeof header.typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(header.typ)) {
    throw invalid('access_token typ is not at+jwt');
  }
  if (typeof header.alg !== 'string' || header.alg === 'none' || header.alg.startsWith('HS')) {
    throw invalid('access_token alg is not asymmetric');
  }
  if (claims.iss !== options.issuer) throw invalid('access_token has another issuer');
  const aud = claims.aud;
  const single =
    typeof aud === 'string' ? aud : Array.isArray(aud) && aud.length === 1 ? (aud[0] as unknown) : undefined;
  if (single !== audience) throw invalid('access_token is not addressed to exactly the target service');
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp * 1000 <= nowMs)
    throw invalid('access_token is expired');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalid('access_token has no subject');
  if (typeof claims.client_id !== 'string' || claims.client_id === '')
    throw invalid('access_token has no client_id');
  const act = claims.act;
  if (typeof act !== 'object' || act === null || (act as Record<string, unknown>).sub !== options.clientId) {
    throw invalid('access_token does not name the gateway as actor');
  }
  // The intent asked for, exactly, or none when none was asked: a token that says otherwise is not forwarded.
  const details = claims[AUTHORIZATION_DETAILS];
  if (JSON.stringify(details) !== JSON.stringify(intent === undefined ? undefined : [intent])) {
    throw invalid('access_token does not carry exactly the intent asked for');
  }
  return { kind: 'resolved', jwt, subject: claims.sub, clientId: claims.client_id, expiresAt: exp };
}
