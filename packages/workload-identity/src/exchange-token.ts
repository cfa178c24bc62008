// The one token-exchange client (RFC 8693) of Airlock's services: it trades the token a service holds for one
// addressed to a single callee, authenticated as the service with a private_key_jwt assertion (RFC 7523).
// The gateway (phantom tokens) and orders (payments on the user's behalf) both call auth through it.
//
// What it promises: one deadline for the whole call (assertion signing included), a bounded answer, redirects
// never followed, and exactly two outcomes: `issued` with a well-formed token, or `refused` when auth says the
// subject token (invalid_grant) or the requested scope (invalid_scope) is not acceptable. Everything else is a
// TokenExchangeError with a stable code, so callers fail closed without parsing messages.
import { createServiceDispatcher } from '@airlock/service-kit/core';
import type { Dispatcher } from 'undici';

import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, tokenExchangeForm } from './token-exchange-form.js';

/** Auth's answers are small; anything larger is not an answer to parse. */
export const MAX_EXCHANGE_RESPONSE_BYTES = 16 * 1024;
/** No caller waits longer than this for auth: the gateway's and orders' deadlines are at most this. */
export const MAX_EXCHANGE_TIMEOUT_MS = 2000;

export type TokenExchangeErrorCode =
  /** auth could not be reached (connection refused, reset, DNS). */
  | 'exchange_unreachable'
  /** auth did not answer within the deadline. */
  | 'exchange_timeout'
  /** auth answered with a server error or an unexpected status. */
  | 'exchange_error_status'
  /** auth answered 200 with something that is not a token response. */
  | 'exchange_invalid_response'
  /** auth refused the calling service itself: its authentication, registration or request (not the user's token). */
  | 'exchange_client_refused'
  /** auth refused the subject token or the scope (a `refused` result, thrown by callers that need a token). */
  | 'exchange_refused';

export class TokenExchangeError extends Error {
  override readonly name = 'TokenExchangeError';
  readonly code: TokenExchangeErrorCode;
  /** The RFC 6749 error code auth answered with, when it gave one (`invalid_client`...); safe to log. */
  readonly oauthError: string | undefined;

  constructor(
    code: TokenExchangeErrorCode,
    message: string,
    options?: ErrorOptions & { oauthError?: string },
  ) {
    super(message, options);
    this.code = code;
    this.oauthError = options?.oauthError;
  }
}

export type TokenExchangeResult =
  | {
      readonly kind: 'issued';
      /** A compact JWS (not verified here: the callee is its audience and verifies it). */
      readonly accessToken: string;
    }
  | {
      readonly kind: 'refused';
      /** invalid_grant: the subject token is not (or no longer) active; invalid_scope: a scope it may not have. */
      readonly oauthError: 'invalid_grant' | 'invalid_scope';
    };

export interface TokenExchangeRequest {
  /** The token held: a client's opaque access token (gateway) or the JWT the service received (orders). */
  readonly subjectToken: string;
  /** Exactly one target service. */
  readonly audience: string;
  /** Narrows the scopes; omitted, the subject token's scopes carry over. */
  readonly scope?: string;
  /**
   * RFC 9396 authorization details: the one operation a token for a callee that binds operations is worth
   * (sent as JSON; auth refuses them for any other callee).
   */
  readonly authorizationDetails?: readonly Readonly<Record<string, unknown>>[];
}

export interface TokenExchangeClientOptions {
  /** auth's internal origin, e.g. `http://127.0.0.1:8081`. */
  readonly authOrigin: URL | string;
  /** The token endpoint's path on that origin, e.g. `/auth/token`. */
  readonly tokenPath: string;
  /** The calling service's client_id at auth: its topology name. */
  readonly clientId: string;
  /** Signs a fresh client assertion (one per call: auth refuses a replayed `jti`). */
  readonly clientAssertion: () => Promise<string>;
  /** Deadline for the whole call, from 1 to MAX_EXCHANGE_TIMEOUT_MS. */
  readonly timeoutMs: number;
  /**
   * A pool to auth (the gateway keeps one); defaults to this process's one service dispatcher for the origin
   * (service-kit's createServiceDispatcher: every replica auth's name resolves to), kept for the process's life
   * as undici's global dispatcher would be.
   */
  readonly dispatcher?: Dispatcher;
}

export type TokenExchangeClient = (exchange: TokenExchangeRequest) => Promise<TokenExchangeResult>;

/** The issued token, or TokenExchangeError `exchange_refused`: for a caller that cannot go on without one. */
export async function exchangeOrThrow(
  client: TokenExchangeClient,
  exchange: TokenExchangeRequest,
): Promise<string> {
  const result = await client(exchange);
  if (result.kind === 'issued') return result.accessToken;
  throw new TokenExchangeError('exchange_refused', `auth refused the exchange: ${result.oauthError}`, {
    oauthError: result.oauthError,
  });
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const OAUTH_ERROR = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

export function createTokenExchangeClient(options: TokenExchangeClientOptions): TokenExchangeClient {
  const { timeoutMs } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_EXCHANGE_TIMEOUT_MS) {
    throw new TypeError(
      `createTokenExchangeClient: option "timeoutMs" must be an integer from 1 to ${MAX_EXCHANGE_TIMEOUT_MS}`,
    );
  }
  const origin = new URL(options.authOrigin).origin;
  const dispatcher = options.dispatcher ?? defaultDispatcher(origin);

  return async (exchange) => {
    const signal = AbortSignal.timeout(timeoutMs);
    let assertion: string;
    try {
      assertion = await options.clientAssertion();
    } catch (cause) {
      throw new TokenExchangeError('exchange_client_refused', 'could not sign the client assertion', {
        cause,
      });
    }
    const body = tokenExchangeForm({ service: options.clientId, assertion, ...exchange }).toString();
    let status: number;
    let text: string;
    try {
      const call = {
        method: 'POST' as const,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      };
      const response = await dispatcher.request({ ...call, origin, path: options.tokenPath });
      status = response.statusCode;
      text = await readLimited(response.body, signal);
    } catch (cause) {
      if (cause instanceof TokenExchangeError) throw cause;
      if (signal.aborted || isTimeout(cause)) {
        throw new TokenExchangeError('exchange_timeout', 'auth did not answer in time', { cause });
      }
      throw new TokenExchangeError('exchange_unreachable', 'auth could not be reached', { cause });
    }
    return interpret(status, text);
  };
}

/** One per auth origin in this process, shared by every client created without a dispatcher of its own. */
const defaultDispatchers = new Map<string, Dispatcher>();

function defaultDispatcher(origin: string): Dispatcher {
  let dispatcher = defaultDispatchers.get(origin);
  if (dispatcher === undefined) {
    dispatcher = createServiceDispatcher(origin);
    defaultDispatchers.set(origin, dispatcher);
  }
  return dispatcher;
}

async function readLimited(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (signal.aborted) break;
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_EXCHANGE_RESPONSE_BYTES) {
      body.destroy();
      throw new TokenExchangeError('exchange_invalid_response', 'auth answered with an oversized body');
    }
    chunks.push(buffer);
  }
  if (signal.aborted) throw new TokenExchangeError('exchange_timeout', 'auth did not answer in time');
  return Buffer.concat(chunks).toString('utf8');
}

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
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

function interpret(status: number, text: string): TokenExchangeResult {
  const json = parseJsonObject(text);
  const oauthError =
    typeof json?.['error'] === 'string' && OAUTH_ERROR.test(json['error']) ? json['error'] : undefined;
  if (status === 400 && (oauthError === 'invalid_grant' || oauthError === 'invalid_scope')) {
    // RFC 8693 §2.2.2: auth's word that the subject token, or the scope asked for, is not acceptable.
    return { kind: 'refused', oauthError };
  }
  if ((status === 400 && oauthError !== undefined) || status === 401 || status === 403) {
    // invalid_client, unauthorized_client, invalid_target, invalid_request...: the caller's own request or
    // registration is wrong. No user can fix that, and it must not look like the user's fault.
    throw new TokenExchangeError('exchange_client_refused', `auth refused the exchange (${status})`, {
      ...(oauthError === undefined ? {} : { oauthError }),
    });
  }
  if (status !== 200) {
    throw new TokenExchangeError('exchange_error_status', `auth answered the exchange with ${status}`);
  }
  if (json === undefined) {
    throw new TokenExchangeError('exchange_invalid_response', 'auth answered 200 without a JSON object');
  }
  const { access_token: token, token_type: tokenType, issued_token_type: issuedType } = json;
  if (typeof token !== 'string' || !COMPACT_JWS.test(token)) {
    throw new TokenExchangeError('exchange_invalid_response', 'access_token is not a compact JWS');
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new TokenExchangeError('exchange_invalid_response', 'token_type is not Bearer');
  }
  if (issuedType !== ACCESS_TOKEN_TYPE && issuedType !== JWT_TOKEN_TYPE) {
    throw new TokenExchangeError('exchange_invalid_response', 'unexpected issued_token_type');
  }
  return { kind: 'issued', accessToken: token };
}
