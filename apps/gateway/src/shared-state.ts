// What the gateway shares with its other replicas and with auth through Redis (AIRLOCK_REDIS_URL): the
// per-token rate limit (one bucket for all replicas, fail closed when Redis does not answer), the revocation
// channel (drop a revoked token's cached results at once), and auth's recent "inactive" answers (one lookup at
// auth per scanned token, not one per replica). Positive results and JWTs never leave the process.
// The per-IP limit stays in each process: it is the first and cheapest check, a flood guard before anything
// is looked up, and must not cost a round trip (docs/adr/0007-redis-shared-state.md).
import type { Logger } from '@airlock/service-kit/core';
import { connectRedis, disconnectRedis } from '@airlock/shared-state/connection';
import { SharedNegativeResults } from '@airlock/shared-state/negative-results';
import { subscribeToRevocations } from '@airlock/shared-state/revocation-channel';
import { SharedRateLimiter } from '@airlock/shared-state/shared-rate-limiter';
import type { GatewayConfig } from './config.js';
import type { RateLimitStore } from './edge/rate-limit.js';

/** The negative results other replicas learned; best effort (false when Redis does not answer). */
export interface NegativeResultsStore {
  isInactive(tokenHash: string): Promise<boolean>;
  recordInactive(tokenHash: string): Promise<void>;
}

export interface RevocationHandlers {
  /** Auth revoked these tokens (SHA-256, base64url): drop what is cached for them. */
  readonly onRevoked: (tokenHashes: readonly string[]) => void;
  /** (Re)subscribed: revocations may have been missed while disconnected. */
  readonly onSubscribed: () => void;
}

export interface GatewaySharedState {
  readonly tokenLimiter: RateLimitStore;
  readonly negativeResults: NegativeResultsStore;
  watchRevocations(handlers: RevocationHandlers): void;
  close(): Promise<void>;
}

/** Undefined without AIRLOCK_REDIS_URL: every limit and cache stays in this process. */
export function connectGatewaySharedState(
  config: GatewayConfig,
  logger: Logger,
): GatewaySharedState | undefined {
  const url = config.redisUrl;
  if (url === undefined) return undefined;
  // One line per outage, not one per reconnect attempt; the error's message carries no password.
  let reported = false;
  const onError = (error: Error): void => {
    if (reported) return;
    reported = true;
    logger.error({ err: { message: error.message } }, 'redis unreachable: shared rate limits fail closed');
  };
  const commands = connectRedis({ url, name: 'gateway', onError });
  commands.on('ready', () => {
    reported = false;
  });
  const subscriber = connectRedis({ url, name: 'gateway-revocations', onError, subscriber: true });
  const tokenLimiter = new SharedRateLimiter({
    redis: commands,
    name: 'gateway-per-token',
    ...config.rateLimits.perToken,
  });
  const negativeResults = new SharedNegativeResults({
    redis: commands,
    issuer: config.issuer,
    ttlMs: config.cache.negativeTtlMs,
  });
  let unsubscribe: (() => void) | undefined;
  return {
    tokenLimiter,
    negativeResults,
    watchRevocations(handlers) {
      unsubscribe?.();
      unsubscribe = subscribeToRevocations({ redis: subscriber, ...handlers });
    },
    async close() {
      unsubscribe?.();
      await Promise.all([disconnectRedis(commands), disconnectRedis(subscriber)]);
    },
  };
}
