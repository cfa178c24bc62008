// The token step of user routes: exactly one well-formed opaque bearer token (401 / 400 / 431 otherwise), the
// per-token rate limit, then the phantom-token translation: a cached result synchronously, or one exchange at
// auth per key (single flight). Auth unreachable or answering nonsense is a 503: fail closed.
import type { Socket } from 'node:net';
import type { Logger } from '@airlock/service-kit/core';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from '../config.js';
import { RateLimiter, type RateDecision, type RateLimitStore } from '../edge/rate-limit.js';
import { readBearerToken, type BearerRead } from '../edge/read-bearer-token.js';
import { PhantomTokens } from '../phantom/phantom-tokens.js';
import { AuthFailure, createTokenResolver } from '../phantom/resolve-token.js';
import { TokenCache, type Resolution } from '../phantom/token-cache.js';
import type { GatewaySharedState } from '../shared-state.js';
import { deny, type Denial } from './decide.js';
import type { Exchange } from './exchange.js';
import type { DenyReason } from './refusals.js';
import type { Routed } from './route-request.js';

export type ResolvedToken = Extract<Resolution, { kind: 'resolved' }>;

export interface Authenticated {
  readonly ok: true;
  readonly resolution: ResolvedToken;
}

export interface AuthenticatorOptions {
  readonly config: GatewayConfig;
  /** The pool to auth's internal listener (its own: client traffic to /auth/* never queues exchanges). */
  readonly authPool: Dispatcher;
  readonly authOrigin: string;
  /** Signs one private_key_jwt client assertion for auth (a fresh `jti` each call). */
  readonly clientAssertion: () => Promise<string>;
  readonly logger: Logger;
  readonly now: () => number;
  /** Redis shared with the other replicas (AIRLOCK_REDIS_URL); undefined: everything in this process. */
  readonly shared?: GatewaySharedState | undefined;
}

const BEARER_REFUSALS: Readonly<Record<Exclude<BearerRead['kind'], 'token'>, DenyReason>> = {
  missing: 'missing_token',
  duplicate: 'duplicate_authorization',
  too_large: 'token_too_large',
  malformed: 'malformed_token',
  jwt_presented: 'jwt_presented',
};

/**
 * The token's hash, remembered per connection: a client sends the same token on every request of a kept-alive
 * connection, so SHA-256 (~2-3% of the warm path's CPU) runs once per connection and token, not per request.
 * The whole token string is compared; the remembered token lives only as long as its connection (a WeakMap
 * keyed by the socket, which already carried it) and is never cached, logged or used as a key.
 */
class TokenHashes {
  readonly #byConnection = new WeakMap<Socket, { readonly token: string; readonly hash: string }>();

  of(socket: Socket, token: string): string {
    const known = this.#byConnection.get(socket);
    if (known?.token === token) return known.hash;
    const hash = PhantomTokens.hashToken(token);
    this.#byConnection.set(socket, { token, hash });
    return hash;
  }
}

export class Authenticator {
  readonly cache: TokenCache;
  readonly #phantom: PhantomTokens;
  readonly #tokenLimiter: RateLimitStore;
  readonly #maxTokenLength: number;
  readonly #logger: Logger;
  readonly #hashes = new TokenHashes();

  constructor(options: AuthenticatorOptions) {
    const { config, now } = options;
    const resolve = createTokenResolver({
      dispatcher: options.authPool,
      origin: options.authOrigin,
      tokenPath: `${new URL(config.issuer).pathname}/token`,
      issuer: config.issuer,
      clientId: 'gateway',
      clientAssertion: options.clientAssertion,
      timeoutMs: config.authTimeoutMs,
      now,
    });
    this.cache = new TokenCache({ ...config.cache, now });
    this.#phantom = new PhantomTokens({
      issuer: config.issuer,
      cache: this.cache,
      resolve,
      maxInFlight: config.maxExchangesInFlight,
      negativeResults: options.shared?.negativeResults,
      maxPerClient: config.maxExchangesPerClient,
    });
    const { rateLimits } = config;
    this.#tokenLimiter =
      options.shared?.tokenLimiter ??
      new RateLimiter({ ...rateLimits.perToken, maxKeys: rateLimits.maxKeys, now });
    options.shared?.watchRevocations({
      onRevoked: (tokenHashes) => {
        for (const tokenHash of tokenHashes) this.#phantom.dropToken(tokenHash);
      },
      // Revocations sent while this gateway was not subscribed were missed: trust nothing cached before.
      onSubscribed: () => {
        this.cache.clear();
      },
    });
    this.#maxTokenLength = config.maxTokenLength;
    this.#logger = options.logger;
  }

  /** Synchronous on a cache hit or a refusal; a promise only when auth must be asked. */
  authenticate(exchange: Exchange, routed: Routed): Authenticated | Denial | Promise<Authenticated | Denial> {
    const { req } = exchange;
    const label = routed.route.label;
    const bearer = readBearerToken(req.rawHeaders, req.headers.authorization, this.#maxTokenLength);
    if (bearer.kind !== 'token') return deny(BEARER_REFUSALS[bearer.kind], label);

    const tokenHash = this.#hashes.of(req.socket, bearer.token);
    const limit = this.#tokenLimiter.take(tokenHash);
    if (limit instanceof Promise) {
      // The shared limit (Redis): no answer, no decision, no request (fail closed).
      return limit.then(
        (decision) => this.#limited(exchange, routed, bearer.token, tokenHash, decision),
        (error: unknown) => {
          this.#logger.error(
            { requestId: exchange.requestId, route: label, err: error },
            'shared rate limit unavailable',
          );
          return deny('rate_limit_unavailable', label);
        },
      );
    }
    return this.#limited(exchange, routed, bearer.token, tokenHash, limit);
  }

  /** After the per-token limit: a refusal, a cached result, or one exchange at auth. */
  #limited(
    exchange: Exchange,
    routed: Routed,
    token: string,
    tokenHash: string,
    limit: RateDecision,
  ): Authenticated | Denial | Promise<Authenticated | Denial> {
    const label = routed.route.label;
    if (!limit.allowed) {
      return deny('rate_limited_token', label, ['retry-after', String(limit.retryAfterSeconds)]);
    }

    const audience = routed.edge.service;
    const key = this.#phantom.key(audience, tokenHash);
    const cached = this.#phantom.cached(key);
    let resolving: Promise<Resolution>;
    if (routed.intent === undefined) {
      if (cached !== undefined) return judge(cached, label);
      resolving = this.#phantom.resolve(key, token, audience, exchange.clientKey);
    } else {
      // The user asks for something only this request conveys (a payment): never the cached token. A token auth
      // called inactive is still refused from the cache, so made-up tokens on these routes cost auth nothing more.
      if (cached?.kind === 'refused') return judge(cached, label);
      resolving = this.#phantom.resolveWithIntent(key, token, audience, exchange.clientKey, routed.intent);
    }
    return resolving.then(
      (resolution) => judge(resolution, label),
      (error: unknown) => {
        const reason: DenyReason = error instanceof AuthFailure ? error.code : 'auth_unreachable';
        // A client over its share is that client's limit (audited), not a fault of auth to log.
        if (reason === 'rate_limited_exchanges') return deny(reason, label);
        this.#logger.error(
          {
            requestId: exchange.requestId,
            route: label,
            reason,
            detail: error instanceof AuthFailure ? error.message : undefined,
          },
          'token resolution failed',
        );
        return deny(reason, label);
      },
    );
  }
}

/** What auth said, as the step's outcome: a JWT to forward, or the refusal auth's answer calls for. */
function judge(resolution: Resolution, label: string): Authenticated | Denial {
  if (resolution.kind === 'resolved') return { ok: true, resolution };
  return deny(resolution.reason === 'insufficient_scope' ? 'insufficient_scope' : 'token_inactive', label);
}
