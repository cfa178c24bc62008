// The first step: who is asking and what for, checked before anything is looked up. The per-client rate limit
// (the key comes from edge/client-address.ts), then the request target (normalize-path.ts): the canonical path
// is what routing matches and what is sent.
import type { GatewayConfig } from '../config.js';
import { RateLimiter } from '../edge/rate-limit.js';
import { normalizeTarget } from '../routing/normalize-path.js';
import { deny, UNROUTED, type Denial } from './decide.js';
import type { Exchange } from './exchange.js';

export interface CheckedTarget {
  readonly ok: true;
  readonly path: string;
  /** The query string with its `?`, or empty; forwarded unchanged once it passed the checks. */
  readonly search: string;
}

export interface RequestChecksOptions {
  readonly config: GatewayConfig;
  readonly now: () => number;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export class RequestChecks {
  readonly #ipLimiter: RateLimiter;
  readonly #maxTargetBytes: number;

  constructor(options: RequestChecksOptions) {
    const { rateLimits } = options.config;
    this.#ipLimiter = new RateLimiter({ ...rateLimits.perIp, maxKeys: rateLimits.maxKeys, now: options.now });
    this.#maxTargetBytes = options.config.maxTargetBytes;
  }

  /**
   * The container's own healthcheck: `GET /healthz` or `/readyz` from loopback, and nothing else. The socket's
   * peer, never a forwarded address: no header makes a remote client local.
   */
  isHealthCheck(exchange: Exchange): boolean {
    const url = exchange.req.url;
    return (
      (url === '/healthz' || url === '/readyz') &&
      exchange.method === 'GET' &&
      isLoopback(exchange.req.socket.remoteAddress)
    );
  }

  check(exchange: Exchange): CheckedTarget | Denial {
    const ip = this.#ipLimiter.take(exchange.clientKey);
    if (!ip.allowed) return deny('rate_limited_ip', UNROUTED, ['retry-after', String(ip.retryAfterSeconds)]);
    const normalized = normalizeTarget(exchange.req.url ?? '', this.#maxTargetBytes);
    if (!normalized.ok) return deny(normalized.refusal.code);
    return { ok: true, path: normalized.target.path, search: normalized.target.search };
  }
}
