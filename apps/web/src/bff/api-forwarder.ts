// Calls the gateway's API for a signed-in browser: the user's opaque token goes in the Authorization header
// here, server side; the answer's status, type and body go back. A 401 triggers one refresh and one retry.
import type { FetchDispatcher } from '@airlock/service-kit';
import type { CurrentSession, SignedInSessions } from './signed-in-session.js';
import type { SessionTokens } from '../session/session-store.js';
import { WebError } from '../web-error.js';

const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiRequest {
  readonly method: string;
  /** The gateway path, e.g. `/api/orders/ord_1/pay`. */
  readonly path: string;
  readonly contentType?: string;
  readonly idempotencyKey?: string;
  readonly body?: Buffer;
}

export interface ApiAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly idempotentReplayed: string | undefined;
  readonly body: Buffer;
}

export class ApiForwarder {
  readonly #gatewayUrl: URL;
  readonly #sessions: SignedInSessions;
  readonly #dispatcher: FetchDispatcher | undefined;

  /** `dispatcher`: spreads the calls over every gateway replica (createFetchDispatcher); else fetch's default. */
  constructor(deps: {
    gatewayUrl: URL;
    sessions: SignedInSessions;
    dispatcher?: FetchDispatcher | undefined;
  }) {
    this.#gatewayUrl = deps.gatewayUrl;
    this.#sessions = deps.sessions;
    this.#dispatcher = deps.dispatcher;
  }

  /** The gateway's answer, or `signed_out` when the session has no usable tokens left. */
  async forward(current: CurrentSession, request: ApiRequest): Promise<ApiAnswer | 'signed_out'> {
    let tokens = await this.#sessions.usableTokens(current);
    if (tokens === undefined) return 'signed_out';
    let answer = await this.#call(tokens, request);
    if (answer.status === 401) {
      tokens = await this.#sessions.refresh(current, tokens);
      if (tokens === undefined) return 'signed_out';
      answer = await this.#call(tokens, request);
      if (answer.status === 401) return 'signed_out';
    }
    return answer;
  }

  async #call(tokens: SessionTokens, request: ApiRequest): Promise<ApiAnswer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${tokens.accessToken}`,
      accept: 'application/json',
    };
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    let response: Response;
    try {
      response = await fetch(new URL(request.path, this.#gatewayUrl), {
        method: request.method,
        headers,
        ...(request.body === undefined || request.body.length === 0 ? {} : { body: request.body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher }),
      });
    } catch (error) {
      throw new WebError('api_unreachable', 'the gateway did not answer', { cause: error });
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      idempotentReplayed: response.headers.get('idempotent-replayed') ?? undefined,
      body: Buffer.from(await response.arrayBuffer()),
    };
  }
}
