// What auth shares with its other replicas and the gateways through Redis (AIRLOCK_REDIS_URL): the login limits
// (every replica counts the same failures) and the revocation channel (the gateways drop a revoked token at
// once). With Redis down, sign-in and the token endpoint refuse (503): auth issues nothing while it can neither
// count failed logins for all replicas nor tell the gateways what it revokes. Unset: all of it in this process.
import type { Logger } from '@airlock/service-kit';
import { connectRedis, disconnectRedis, isReady } from '@airlock/shared-state/connection';
import { publishRevokedTokens } from '@airlock/shared-state/revocation-channel';
import type { AuthConfig } from './config.js';
import type { LoginRateLimiterOptions } from './users/login-rate-limiter.js';
import { SharedLoginRateLimiter } from './users/shared-login-rate-limiter.js';

export interface AuthSharedState {
  readonly loginLimiter: SharedLoginRateLimiter;
  /** Best effort: a revocation that is not published reaches the gateways when their cache TTL ends. */
  readonly publishRevoked: (tokenHashes: readonly string[]) => void;
  /** True while Redis is connected: the token endpoint serves only then. */
  available(): boolean;
  close(): Promise<void>;
}

export function connectAuthSharedState(
  config: Pick<AuthConfig, 'redisUrl'>,
  logger: Logger,
  limits: Pick<LoginRateLimiterOptions, 'perUsername' | 'perAddress'> = {},
): AuthSharedState | undefined {
  if (config.redisUrl === undefined) return undefined;
  // One line per outage, not one per reconnect attempt; the message carries no password.
  let reported = false;
  const redis = connectRedis({
    url: config.redisUrl,
    name: 'auth',
    onError: (error) => {
      if (reported) return;
      reported = true;
      logger.error(
        { err: { message: error.message } },
        'redis unreachable: sign-in and token endpoint refuse',
      );
    },
  });
  redis.on('ready', () => {
    reported = false;
  });
  const loginLimiter = new SharedLoginRateLimiter({
    redis,
    ...limits,
    onReleaseFailed: (error: unknown) => {
      logger.warn(
        { err: { message: error instanceof Error ? error.message : 'unknown' } },
        'a login reservation could not be given back: it counts as a failure',
      );
    },
  });
  return {
    loginLimiter,
    publishRevoked: (tokenHashes) => {
      publishRevokedTokens(redis, tokenHashes).catch((error: unknown) => {
        logger.warn(
          { err: { message: error instanceof Error ? error.message : 'unknown' }, count: tokenHashes.length },
          'revocation not published: gateways drop the token when their cache TTL ends',
        );
      });
    },
    available: () => isReady(redis),
    close: () => disconnectRedis(redis),
  };
}
