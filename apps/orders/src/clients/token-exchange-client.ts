// Exchanges the user's token that orders received for one addressed to payments (RFC 8693), authenticating
// as orders with a private_key_jwt client assertion (RFC 7523). Every failure is a TokenExchangeError:
// orders then refuses to pay (fail closed) and never calls payments without a token auth just issued.
import type { Dispatcher } from 'undici';
import { ACCESS_TOKEN_TYPE, createClientAssertion, tokenExchangeForm } from '@airlock/workload-identity';
import type { WorkloadKeyPair } from '@airlock/workload-identity';

import { requestJson } from './http-json.js';

/** What orders needs from auth: a token for payments, on the same user's behalf, acting as orders. */
export interface PaymentsTokenExchanger {
  /** The access token for `aud: payments`; rejects with TokenExchangeError. */
  exchange(subjectToken: string, scope?: string): Promise<string>;
}

export type TokenExchangeErrorCode =
  'exchange_unavailable' | 'exchange_refused' | 'exchange_invalid_response';

export class TokenExchangeError extends Error {
  override readonly name = 'TokenExchangeError';
  readonly code: TokenExchangeErrorCode;
  /** The RFC 6749 error code auth answered with, when it refused (`invalid_grant`...); safe to log. */
  readonly oauthError: string | undefined;

  constructor(code: TokenExchangeErrorCode, message: string, oauthError?: string) {
    super(message);
    this.code = code;
    this.oauthError = oauthError;
  }
}

const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const DEFAULT_EXCHANGE_TIMEOUT_MS = 2000;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const OAUTH_ERROR = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

export interface TokenExchangeClientOptions {
  /** Base URL of auth inside the identity enclave, e.g. http://127.0.0.1:8081. */
  readonly authUrl: URL;
  /** Auth's issuer identifier: the audience of the client assertion. */
  readonly issuer: string;
  /** Orders' own workload key pair (ensureWorkloadKeyPair). */
  readonly keyPair: WorkloadKeyPair;
  readonly clientId?: string;
  readonly audience?: string;
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
}

export function createTokenExchangeClient(options: TokenExchangeClientOptions): PaymentsTokenExchanger {
  const clientId = options.clientId ?? 'orders';
  const audience = options.audience ?? 'payments';
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError('createTokenExchangeClient: option "timeoutMs" must be a positive integer');
  }
  const tokenUrl = new URL('/auth/token', options.authUrl);
  return {
    async exchange(subjectToken: string, scope?: string): Promise<string> {
      const assertion = await createClientAssertion({
        service: clientId,
        privateKey: options.keyPair.privateKey,
        kid: options.keyPair.kid,
        audience: options.issuer,
      });
      const form = tokenExchangeForm({
        service: clientId,
        assertion,
        subjectToken,
        audience,
        ...(scope === undefined ? {} : { scope }),
      });
      let response;
      try {
        response = await requestJson({
          url: tokenUrl,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          timeoutMs,
          ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
        });
      } catch {
        // Network, timeout or an oversized answer; the cause may quote the request, so it is not kept.
        throw new TokenExchangeError(
          'exchange_unavailable',
          'auth could not be reached for the token exchange',
        );
      }
      return accessTokenFrom(response.status, response.body);
    },
  };
}

function accessTokenFrom(status: number, body: unknown): string {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (status >= 500) {
    throw new TokenExchangeError('exchange_unavailable', `auth answered the token exchange with ${status}`);
  }
  if (status !== 200) {
    const error = fields['error'];
    throw new TokenExchangeError(
      'exchange_refused',
      `auth refused the token exchange with ${status}`,
      typeof error === 'string' && OAUTH_ERROR.test(error) ? error : undefined,
    );
  }
  const token = fields['access_token'];
  const issued = fields['issued_token_type'];
  const type = fields['token_type'];
  if (
    typeof token !== 'string' ||
    !COMPACT_JWS.test(token) ||
    (issued !== ACCESS_TOKEN_TYPE && issued !== JWT_TOKEN_TYPE) ||
    typeof type !== 'string' ||
    type.toLowerCase() !== 'bearer'
  ) {
    throw new TokenExchangeError(
      'exchange_invalid_response',
      'auth answered the token exchange with nonsense',
    );
  }
  return token;
}
